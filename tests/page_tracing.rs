//! Each page of a collection read runs in an `odata.page` span that records the entity set, the
//! status, the number of rows and the time taken. (Its own test binary: `tracing` caches which
//! call sites are enabled process-wide, so a scoped subscriber is only reliable without other
//! tests running beside it.)

mod common;

use std::sync::{Arc, Mutex};

use common::sandbox_client;
use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c};

/// Keeps, per span, its name and every field value given at creation or recorded later.
#[derive(Clone, Default)]
struct SpanLog(Arc<Mutex<Vec<(&'static str, String)>>>);

struct Text<'a>(&'a mut String);

impl tracing::field::Visit for Text<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for SpanLog {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut spans = self.0.lock().unwrap();
        let mut text = String::new();
        attributes.record(&mut Text(&mut text));
        spans.push((attributes.metadata().name(), text));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.0.lock().unwrap();
        values.record(&mut Text(&mut spans[id.into_u64() as usize - 1].1));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn every_page_is_traced_with_entity_set_status_and_row_count() {
    let log = SpanLog::default();
    let _guard = tracing::subscriber::set_default(log.clone());
    let rows = sandbox_client(Some(30))
        .entity_set::<CustomerV3>()
        .select(c::CUSTOMER_ACCOUNT.required())
        .top(70)
        .collect_all(70)
        .await
        .unwrap();
    assert_eq!(rows.len(), 70);
    let spans = log.0.lock().unwrap().clone();
    let pages: Vec<&String> = spans
        .iter()
        .filter(|(name, _)| *name == "odata.page")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(pages.len(), 3, "{spans:#?}");
    for (page, rows) in pages.iter().zip([30, 30, 10]) {
        assert!(page.contains("entity_set=CustomersV3"), "{page}");
        assert!(page.contains("status=200"), "{page}");
        assert!(page.contains(&format!(" rows={rows}")), "{page}");
        assert!(page.contains("duration_ms="), "{page}");
    }
    let requests = spans.iter().filter(|(name, _)| *name == "odata.request");
    assert_eq!(
        requests.clone().count(),
        3,
        "one request per page: {spans:#?}"
    );
    assert!(
        requests
            .clone()
            .all(|(_, fields)| fields.contains("method=GET")),
        "{spans:#?}"
    );
}
