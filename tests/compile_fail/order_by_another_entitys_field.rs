//! Ordering a CustomersV3 query by a CustomerGroup field does not compile.
#[path = "../common/fno.rs"]
mod fno;

use fno::{CustomerV3, customer_group};

fn main() {
    let client = d365fo_odata::Client::builder("https://env.operations.dynamics.com")
        .build()
        .unwrap();
    let _ = client
        .entity_set::<CustomerV3>()
        .order_by(customer_group::CUSTOMER_GROUP_ID.asc());
}
