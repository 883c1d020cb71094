//! Cost of building a query URL with a typed filter, against formatting the same OData text by
//! hand and percent-encoding it (what callers without field handles do).

use criterion::{Criterion, criterion_group, criterion_main};
use d365fo_odata::Client;
use d365fo_odata::edm::{DateTimeOffset, Decimal, percent_encode_query_value};
use std::hint::black_box;

#[path = "../tests/common/fno.rs"]
#[allow(dead_code, unreachable_pub)]
mod fno;

use fno::{CustomerV3, NoYes, customer_v3 as c};

fn query_url(criterion: &mut Criterion) {
    let client = Client::builder("https://contoso.operations.dynamics.com")
        .build()
        .unwrap();
    let limit: Decimal = "10000.50".parse().unwrap();
    let since: DateTimeOffset = "2024-01-01T00:00:00+02:00".parse().unwrap();
    let mut group = criterion.benchmark_group("query_url");

    group.bench_function("typed_filter", |b| {
        b.iter(|| {
            let query = client
                .entity_set::<CustomerV3>()
                .filter(
                    c::CUSTOMER_GROUP_ID
                        .eq_any(["10", "20", "30"])
                        .and(c::CREDIT_LIMIT.gt(black_box(limit)))
                        .and(c::ORGANIZATION_NAME.contains(black_box("O'Brien & Sons")))
                        .and(c::IS_ONE_TIME_CUSTOMER.ne(NoYes::Yes))
                        .and(c::CRED_MAN_LAST_REVIEW_DATE.ge(black_box(since))),
                )
                .order_by(c::ORGANIZATION_NAME.asc())
                .top(500)
                .cross_company();
            black_box(query.url().unwrap())
        })
    });

    group.bench_function("hand_formatted", |b| {
        b.iter(|| {
            let name = black_box("O'Brien & Sons").replace('\'', "''");
            let filter = format!(
                "(CustomerGroupId eq '10' or CustomerGroupId eq '20' or CustomerGroupId eq '30') \
                 and CreditLimit gt {} and OrganizationName eq '*{name}*' and IsOneTimeCustomer ne \
                 Microsoft.Dynamics.DataEntities.NoYes'Yes' and CredManLastReviewDate ge {}",
                black_box(limit),
                black_box(since)
            );
            let url = format!(
                "https://contoso.operations.dynamics.com/data/CustomersV3?$filter={}&$orderby=OrganizationName&$top=500&cross-company=true",
                percent_encode_query_value(&filter)
            );
            black_box(url::Url::parse(&url).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, query_url);
criterion_main!(benches);
