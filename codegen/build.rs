//! Tells this package's tests whether the external metadata corpus is available.
//!
//! Tests that read `$ODATA_METADATA_CORPUS` carry
//! `#[cfg_attr(not(odata_corpus), ignore = "…")]`, so without the corpus they show as
//! `ignored` in the test summary (with the reason) instead of passing without checking anything.
//! This file is not part of the published package (see `include` in `Cargo.toml`).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=ODATA_METADATA_CORPUS");
    println!("cargo::rustc-check-cfg=cfg(odata_corpus)");
    if std::env::var_os("ODATA_METADATA_CORPUS").is_some_and(|dir| !dir.is_empty()) {
        println!("cargo::rustc-cfg=odata_corpus");
    }
}
