//! `ModifiedDateTime` is `Core.Computed`: the generated create model has no such field.
use d365fo_sandbox_bindings::NewCustomerV3;

fn main() {
    let mut new = NewCustomerV3::new("usmf", "US-0042");
    new.modified_date_time = None;
}
