//! CreditLimit is an Edm.Decimal: comparing it with a string or a float does not compile.
#[path = "../common/fno.rs"]
mod fno;

use fno::customer_v3;

fn main() {
    let _ = customer_v3::CREDIT_LIMIT.gt("10000");
    let _ = customer_v3::CREDIT_LIMIT.gt(10000.0_f64);
    let _ = customer_v3::ORGANIZATION_NUMBER_OF_EMPLOYEES.eq("ten");
}
