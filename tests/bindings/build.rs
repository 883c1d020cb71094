//! Generates the sandbox bindings from `tests/sandbox/metadata.xml`, and the bindings of the
//! F&O write-model shapes the compile-fail cases need from `tests/compile_fail/write_rules.xml`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    d365fo_odata_codegen::Generator::from_file("../sandbox/metadata.xml")?
        .all_entity_sets()
        .operations(["SetCustomerOnHold", "GetCustomerCount"])
        .write_to_out_dir("sandbox.rs")?;
    d365fo_odata_codegen::Generator::from_file("../compile_fail/write_rules.xml")?
        .all_entity_sets()
        .write_to_out_dir("write_rules.rs")?;
    Ok(())
}
