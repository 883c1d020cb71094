//! Generated handles carry their value type: a decimal is not compared with a string, an enum
//! not with its member name, and a string property not with a number.
use d365fo_sandbox_bindings::customer_v3;

fn main() {
    let _ = customer_v3::CREDIT_LIMIT.gt("10000");
    let _ = customer_v3::ON_HOLD_STATUS.eq("All");
    let _ = customer_v3::CUSTOMER_ACCOUNT.eq(42);
}
