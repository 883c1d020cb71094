//! Any byte string either parses into a document or yields an error; the reader never panics.
//! Successful parses are also run through the model queries and a selection of every set.

#![no_main]

use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::select::Selection;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Document::parse(data, "fuzz.xml") {
        Ok(doc) => {
            for ty in doc.entity_types() {
                let _ = doc.effective_key(ty);
                let _ = doc.all_properties(ty);
                let _ = doc.bound_operations(&ty.qualified_name);
            }
            let sets: Vec<String> = doc.entity_sets().map(|s| s.name.to_string()).collect();
            let _ = Selection::new().entity_sets(sets).resolve(&doc);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
