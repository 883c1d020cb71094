//! `SearchName` is non-nullable but not `IsRequired`: F&O fills a default, so the create model
//! lets a caller set it (the first statement compiles) without making it an argument of `new`
//! (only the key and the `IsRequired` `ProductName` are).
use d365fo_sandbox_bindings::write_rules::NewProductDefaultOrderSetting;

fn main() {
    let mut new = NewProductDefaultOrderSetting::new("P-0001", "Widget");
    new.search_name = Some("WIDGET".to_owned());
    let _ = NewProductDefaultOrderSetting::new("P-0001", "Widget", "WIDGET");
}
