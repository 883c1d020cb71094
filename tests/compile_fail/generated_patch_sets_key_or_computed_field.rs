//! Keys and `Core.Computed` properties cannot be changed: the generated update model lacks them.
use d365fo_sandbox_bindings::CustomerV3Patch;

fn main() {
    let _ = CustomerV3Patch {
        customer_account: Some("US-0043".to_owned()),
        ..CustomerV3Patch::default()
    };
    let _ = CustomerV3Patch {
        modified_date_time: None,
        ..CustomerV3Patch::default()
    };
}
