//! Generated handles carry their entity: a sales order field cannot filter customers.
use d365fo_sandbox_bindings::{CustomerV3, sales_order_header_v2};

fn query(q: d365fo_odata::Query<CustomerV3>) -> d365fo_odata::Query<CustomerV3> {
    q.filter(sales_order_header_v2::SALES_ORDER_NUMBER.eq("SO-1"))
}

fn main() {
    let _ = query;
}
