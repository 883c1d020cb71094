//! Access to the external metadata corpus named by `ODATA_METADATA_CORPUS`.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use d365fo_odata_codegen::csdl::Document;

/// The corpus folder, or `None` (after saying so on stderr) when the variable is unset.
pub fn corpus(test: &str) -> Option<PathBuf> {
    match std::env::var_os("ODATA_METADATA_CORPUS") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("SKIPPED {test}: ODATA_METADATA_CORPUS is not set");
            None
        }
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
