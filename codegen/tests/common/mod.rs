//! Access to the external metadata corpus named by `ODATA_METADATA_CORPUS`.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use d365fo_odata_codegen::csdl::Document;

/// The corpus folder named by `ODATA_METADATA_CORPUS`.
///
/// Tests calling this carry `#[cfg_attr(not(odata_corpus), ignore = "…")]` (see `build.rs`), so
/// they only run without the variable when asked with `--ignored`; then this panics saying what
/// is missing rather than letting the test pass without checking anything.
pub fn corpus() -> PathBuf {
    match std::env::var_os("ODATA_METADATA_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!(
            "ODATA_METADATA_CORPUS is not set: set it to the metadata corpus directory \
             (a directory with `fno/` and `odata-v4/`) to run this test"
        ),
    }
}

/// Parses `relative` inside the corpus, panicking with the parse error's message.
pub fn load(dir: &std::path::Path, relative: &str) -> Document {
    let path = dir.join(relative);
    Document::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

pub const TRIPPIN: [&str; 5] = [
    "odata-v4/trippin/davidmoten_trip-pin-metadata.xml",
    "odata-v4/trippin/odata.net_TripPin.csdl.xml",
    "odata-v4/trippin/odata2ts_trippin-rw.xml",
    "odata-v4/trippin/odata2ts_trippin.xml",
    "odata-v4/trippin/simple-odata-client_TripPin.xml",
];

pub const TRIPPIN_NS: &str = "Microsoft.OData.SampleService.Models.TripPin";
pub const FNO_NS: &str = "Microsoft.Dynamics.DataEntities";
