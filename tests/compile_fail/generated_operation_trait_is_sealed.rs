//! The traits that make bound operations methods of `EntityRef` are sealed: code outside the
//! bindings cannot implement them, so a new operation of the service adds a trait method
//! without breaking anyone's code (which is why `diff` calls an added operation not breaking).
use d365fo_sandbox_bindings::prelude::SalesOrderHeaderV2Operations;

struct Mine;

impl SalesOrderHeaderV2Operations for Mine {
    async fn confirm_sales_order(
        &self,
        _confirmed_shipping_date: d365fo_odata::edm::DateTimeOffset,
    ) -> d365fo_odata::Result<Option<String>> {
        Ok(None)
    }
}

fn main() {}
