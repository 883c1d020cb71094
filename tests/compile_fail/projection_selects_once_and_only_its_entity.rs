//! `select` takes handles of the queried entity only, and a projection cannot be selected again
//! or expanded outside its selection.
use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c, sales_order_header_v2 as h};

fn other_entity(q: d365fo_odata::Query<CustomerV3>) {
    let _ = q.select((c::CUSTOMER_ACCOUNT, h::SALES_ORDER_NUMBER));
}

fn twice(q: d365fo_odata::Query<CustomerV3>) {
    let _ = q.select(c::CUSTOMER_ACCOUNT).select(c::ORGANIZATION_NAME);
}

fn expand_after(q: d365fo_odata::Query<CustomerV3>) {
    let _ = q.select(c::CUSTOMER_ACCOUNT).expand(c::CUSTOMER_GROUP);
}

fn main() {
    let _ = (other_entity, twice, expand_after);
}
