//! Decoding one 1,000-row page of a 100-property F&O-shaped entity: into the type generated from
//! `fixtures/wide_entity.xml` (checked in as `fixtures/wide_entity.rs`) against into
//! `serde_json::Value`, in the same run so that the ratio is meaningful.
//!
//! The page is built deterministically from the fixture's property list: strings, exact
//! decimals, F&O date-times (with the `1900-01-01T12:00:00Z` "no date"), integers, enum member
//! names, some `null`s, and an `@odata.etag` per row.

#![allow(missing_docs, unreachable_pub)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;

#[allow(clippy::all, dead_code)]
mod wide {
    include!("fixtures/wide_entity.rs");
}

const FIXTURE: &str = include_str!("fixtures/wide_entity.xml");
const ROWS: usize = 1000;

#[derive(Deserialize)]
struct Body<T> {
    value: Vec<T>,
}

/// A property of the fixture entity: its name, its type and whether it is a key.
struct Property {
    name: String,
    ty: String,
    key: bool,
}

/// The text of attribute `name` in one line of the fixture.
fn attribute<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}=\""))? + name.len() + 2;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

/// The properties and enum members of the fixture (one element per line).
fn fixture() -> (Vec<Property>, Vec<(String, Vec<String>)>) {
    let mut properties = Vec::new();
    let mut enums: Vec<(String, Vec<String>)> = Vec::new();
    for line in FIXTURE.lines().map(str::trim) {
        if line.starts_with("<Property ") {
            properties.push(Property {
                name: attribute(line, "Name").expect("property name").to_owned(),
                ty: attribute(line, "Type").expect("property type").to_owned(),
                key: line.contains("Nullable=\"false\""),
            });
        } else if line.starts_with("<EnumType ") {
            let name = attribute(line, "Name").expect("enum name");
            enums.push((
                format!("Microsoft.Dynamics.DataEntities.{name}"),
                Vec::new(),
            ));
        } else if line.starts_with("<Member ") {
            let member = attribute(line, "Name").expect("member name").to_owned();
            enums
                .last_mut()
                .expect("member inside an enum")
                .1
                .push(member);
        }
    }
    (properties, enums)
}

/// A fixed-seed generator (64-bit LCG), so every run decodes the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// The JSON page: `{"@odata.context":…,"value":[…1,000 rows…]}`.
fn page() -> Vec<u8> {
    let (properties, enums) = fixture();
    assert_eq!(properties.len(), 100, "the fixture has 100 properties");
    let mut rnd = Lcg(42);
    let mut out = String::with_capacity(4 << 20);
    out.push_str(r#"{"@odata.context":"https://env.operations.dynamics.com/data/$metadata#WideCustomers","value":["#);
    for row in 0..ROWS {
        if row > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"@odata.etag":"W/\"JzEsNTYzNzE0NDU3{row:06}Jw==\"""#
        )
        .unwrap();
        for p in &properties {
            write!(out, r#","{}":"#, p.name).unwrap();
            let roll = rnd.next();
            if !p.key && roll.is_multiple_of(10) {
                out.push_str("null");
                continue;
            }
            match p.ty.as_str() {
                "Edm.String" if p.name == "dataAreaId" => out.push_str(r#""usmf""#),
                "Edm.String" if p.name == "CustomerAccount" => {
                    write!(out, r#""WC-{row:06}""#).unwrap();
                }
                "Edm.String" => write!(
                    out,
                    r#""{} {}""#,
                    &p.name[..p.name.len().min(12)],
                    roll % 100_000
                )
                .unwrap(),
                "Edm.Decimal" => write!(out, "{}.{:02}", roll % 10_000_000, roll % 100).unwrap(),
                "Edm.DateTimeOffset" if roll.is_multiple_of(7) => {
                    out.push_str(r#""1900-01-01T12:00:00Z""#)
                }
                "Edm.DateTimeOffset" => write!(
                    out,
                    r#""20{:02}-{:02}-{:02}T{:02}:{:02}:00Z""#,
                    10 + roll % 15,
                    1 + roll % 12,
                    1 + roll % 28,
                    roll % 24,
                    roll % 60
                )
                .unwrap(),
                "Edm.Int32" => write!(out, "{}", roll % 5000).unwrap(),
                "Edm.Int64" => write!(out, "{}", 5_637_144_576 + roll % 1_000_000).unwrap(),
                ty => {
                    let members = &enums
                        .iter()
                        .find(|(name, _)| name == ty)
                        .unwrap_or_else(|| panic!("no enum type {ty} in the fixture"))
                        .1;
                    write!(out, r#""{}""#, members[roll as usize % members.len()]).unwrap();
                }
            }
        }
        out.push('}');
    }
    out.push_str("]}");
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let bytes = page();
    // Both decoders read the whole page before anything is timed.
    let typed: Body<wide::WideCustomer> = serde_json::from_slice(&bytes).expect("typed decode");
    assert_eq!(typed.value.len(), ROWS);
    assert_eq!(typed.value[7].customer_account, "WC-000007");
    let untyped: Body<serde_json::Value> = serde_json::from_slice(&bytes).expect("Value decode");
    assert_eq!(untyped.value[0].as_object().map(|o| o.len()), Some(101));

    let mut group = c.benchmark_group("page_1000_rows_100_properties");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("generated_type", |b| {
        b.iter(|| {
            let page: Body<wide::WideCustomer> = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(page.value.len())
        });
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let page: Body<serde_json::Value> = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(page.value.len())
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
