//! Prints a one-line summary (counts of types, sets, operations) for each CSDL file given.

use d365fo_odata_codegen::csdl::{Document, OperationKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let doc = Document::from_path(&path)?;
        let actions = doc
            .all_operations()
            .filter(|o| o.kind == OperationKind::Action)
            .count();
        let functions = doc
            .all_operations()
            .filter(|o| o.kind == OperationKind::Function)
            .count();
        let terms: usize = doc.schemas().iter().map(|s| s.terms.len()).sum();
        let singletons: usize = doc.entity_containers().map(|c| c.singletons.len()).sum();
        let type_definitions: usize = doc.schemas().iter().map(|s| s.type_definitions.len()).sum();
        eprintln!(
            "{path}: entity_types={} entity_sets={} singletons={singletons} enums={} complex={} type_definitions={type_definitions} actions={actions} functions={functions} terms={terms}",
            doc.entity_types().count(),
            doc.entity_sets().count(),
            doc.enum_types().count(),
            doc.complex_types().count(),
        );
    }
    Ok(())
}
