//! A projection's rows hold the selected values only: a property that was not selected cannot
//! be read as if it were data.
use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c};

async fn names(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
    let row = client
        .entity_set::<CustomerV3>()
        .select((c::CUSTOMER_ACCOUNT.required(), c::ORGANIZATION_NAME))
        .first()
        .await?
        .expect("a row");
    let _ = row.credit_limit;
    let (_account, _name, _limit) = row;
    Ok(())
}

fn main() {
    let _ = names;
}
