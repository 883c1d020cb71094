//! Navigation handles carry their source entity: a sales order's lines cannot be expanded on a
//! customer query, and the expanded `$select` takes only the target's fields.
use d365fo_sandbox_bindings::{CustomerV3, SalesOrderHeaderV2, customer_v3, sales_order_header_v2};

fn customers(q: d365fo_odata::Query<CustomerV3>) -> d365fo_odata::Query<CustomerV3> {
    q.expand(sales_order_header_v2::SALES_ORDER_LINES)
}

fn orders(q: d365fo_odata::Query<SalesOrderHeaderV2>) {
    let _ = q.select(sales_order_header_v2::SALES_ORDER_LINES.select(customer_v3::CUSTOMER_ACCOUNT));
}

fn main() {
    let _ = (customers, orders);
}
