//! F&O does not support `in`: is_in on an F&O-profile entity does not compile (eq_any does).
#[path = "../common/fno.rs"]
mod fno;

use fno::customer_v3;

fn main() {
    let _ = customer_v3::CUSTOMER_GROUP_ID.eq_any(["10", "20"]);
    let _ = customer_v3::CUSTOMER_GROUP_ID.is_in(["10", "20"]);
}
