//! F&O compares enums with eq/ne only: gt on an enum field does not compile.
#[path = "../common/fno.rs"]
mod fno;

use fno::{NoYes, customer_v3};

fn main() {
    let _ = customer_v3::IS_ONE_TIME_CUSTOMER.eq(NoYes::Yes);
    let _ = customer_v3::IS_ONE_TIME_CUSTOMER.gt(NoYes::No);
}
