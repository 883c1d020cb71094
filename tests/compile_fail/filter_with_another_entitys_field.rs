//! A filter built from CustomerGroup's field cannot be used in a query over CustomersV3.
#[path = "../common/fno.rs"]
mod fno;

use fno::{CustomerV3, customer_group};

fn main() {
    let client = d365fo_odata::Client::builder("https://env.operations.dynamics.com")
        .build()
        .unwrap();
    let _ = client
        .entity_set::<CustomerV3>()
        .filter(customer_group::DESCRIPTION.eq("VIP"));
}
