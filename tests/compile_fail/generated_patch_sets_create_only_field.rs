//! `ProductType` has `AllowEdit=false` and may be set on create: it is a field of the create
//! model (the first statements compile) and not of the update model.
use d365fo_sandbox_bindings::write_rules::{
    EcoResProductType, NewProductDefaultOrderSetting, ProductDefaultOrderSettingPatch,
};

fn main() {
    let mut new = NewProductDefaultOrderSetting::new("P-0001", "Widget");
    new.product_type = Some(EcoResProductType::Service);
    let _ = ProductDefaultOrderSettingPatch {
        product_type: Some(EcoResProductType::Item),
        ..ProductDefaultOrderSettingPatch::default()
    };
}
