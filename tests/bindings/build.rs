//! Generates the sandbox bindings from `tests/sandbox/metadata.xml`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    d365fo_odata_codegen::Generator::from_file("../sandbox/metadata.xml")?
        .all_entity_sets()
        .operations(["SetCustomerOnHold", "GetCustomerCount"])
        .write_to_out_dir("sandbox.rs")?;
    Ok(())
}
