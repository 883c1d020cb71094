//! Business events: decoding 1,000 F&O-shaped payloads with the typed envelope (flattened
//! payload, typed or a JSON map) against a plain flat struct of strings, and sorting 100,000
//! control numbers with `ControlNumberWindow`.

use criterion::{Criterion, criterion_group, criterion_main};
use d365fo_odata::business_events::{BusinessEvent, ControlNumberWindow, WcfDate, parse_events};
use serde::Deserialize;
use std::hint::black_box;

#[allow(dead_code)]
#[derive(Deserialize)]
struct InvoicePosted {
    #[serde(rename = "InvoiceId")]
    invoice_id: String,
    #[serde(rename = "CustomerAccount")]
    customer_account: String,
    #[serde(rename = "InvoiceDate")]
    invoice_date: WcfDate,
    #[serde(rename = "InvoiceDueDate")]
    invoice_due_date: WcfDate,
}

/// The baseline: every field as the JSON gives it, no flattening, no date or GUID parsing.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Flat {
    business_event_id: String,
    business_event_legal_entity: String,
    context_record_subject: String,
    control_number: i64,
    customer_account: String,
    event_id: String,
    event_time: String,
    event_time_iso8601: String,
    #[serde(rename = "InitiatingUserAADObjectId")]
    initiating_user_aad_object_id: String,
    invoice_date: String,
    invoice_due_date: String,
    invoice_id: String,
    major_version: i32,
    minor_version: i32,
    parent_context_record_subjects: Option<Vec<String>>,
}

fn payloads(n: usize) -> Vec<u8> {
    let events: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"BusinessEventId":"SalesInvoicePostedBusinessEvent","BusinessEventLegalEntity":"USMF","ContextRecordSubject":"","ControlNumber":{},"CustomerAccount":"US-{:06}","EventId":"9D2F5A60-1B7C-4C0E-8E57-{:012X}","EventTime":"/Date({})/","EventTimeIso8601":"2022-12-30T13:51:15.2942742Z","InitiatingUserAADObjectId":"{{5E2D28CB-A456-4512-B6AB-F3455D765946}}","InvoiceDate":"/Date(1672358400000)/","InvoiceDueDate":"/Date(-2208988800000)/","InvoiceId":"CIV-{:06}","MajorVersion":0,"MinorVersion":0,"ParentContextRecordSubjects":[]}}"#,
                5_637_144_576 + i as i64 * 3,
                i,
                i,
                1_672_408_275_000_i64 + i as i64 * 1000,
                i
            )
        })
        .collect();
    format!("[{}]", events.join(",")).into_bytes()
}

fn decode(c: &mut Criterion) {
    let body = payloads(1000);
    let mut group = c.benchmark_group("decode_1000_events");
    group.bench_function("envelope_typed_payload", |b| {
        b.iter(|| {
            let events: Vec<BusinessEvent<InvoicePosted>> =
                parse_events(black_box(&body), "bench").unwrap();
            black_box(events)
        })
    });
    group.bench_function("envelope_map_payload", |b| {
        b.iter(|| {
            let events: Vec<BusinessEvent> = parse_events(black_box(&body), "bench").unwrap();
            black_box(events)
        })
    });
    group.bench_function("flat_strings_baseline", |b| {
        b.iter(|| {
            let events: Vec<Flat> = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(events)
        })
    });
    group.finish();
}

fn window(c: &mut Criterion) {
    // Increasing with gaps, every tenth number delivered again and every twentieth late.
    let mut numbers = Vec::with_capacity(110_000);
    for i in 0..100_000_i64 {
        let n = 5_637_144_576 + i * 3;
        numbers.push(n);
        if i % 10 == 9 {
            numbers.push(n - 3);
        }
    }
    for i in (0..numbers.len()).step_by(20).skip(1) {
        numbers.swap(i - 1, i);
    }
    c.bench_function("control_number_window_observe_110k", |b| {
        b.iter(|| {
            let mut w = ControlNumberWindow::new(10_000);
            let mut first = 0_u32;
            for &n in &numbers {
                first += u32::from(w.observe(black_box(n)).is_first_delivery());
            }
            black_box(first)
        })
    });
}

criterion_group!(benches, decode, window);
criterion_main!(benches);
