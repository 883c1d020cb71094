//! `d365fo-codegen list`: finding entity sets by name, with keys and property counts.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use d365fo_odata_codegen::csdl::Document;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(args)
        .output()
        .expect("run d365fo-codegen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sandbox_metadata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/sandbox/metadata.xml")
}

#[test]
fn search_finds_customers_v3_with_its_key_and_property_count() {
    let path = sandbox_metadata();
    let doc = Document::from_path(&path).unwrap();
    let ty = doc
        .entity_type(&doc.entity_set("CustomersV3").unwrap().entity_type)
        .unwrap();
    let properties = doc.all_properties(ty).len();

    let output = run(&[
        "list",
        "--metadata",
        path.to_str().unwrap(),
        "--search",
        "customer",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("CustomersV3 "))
        .unwrap_or_else(|| panic!("no CustomersV3 row in:\n{stdout}"));
    let cells: Vec<&str> = line
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(cells[0], "CustomersV3", "{line}");
    assert_eq!(cells[1], "CustomerV3", "{line}");
    assert_eq!(cells[2], "dataAreaId, CustomerAccount", "{line}");
    assert_eq!(cells[3], properties.to_string(), "{line}");
    assert!(
        !stdout.contains("SalesOrderLines"),
        "the search must narrow the listing:\n{stdout}"
    );
}

#[test]
fn a_search_that_matches_nothing_says_so_and_succeeds() {
    let output = run(&[
        "list",
        "--metadata",
        sandbox_metadata().to_str().unwrap(),
        "--search",
        "NoSuchThing",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("matches `NoSuchThing`"));
}

#[test]
fn metadata_that_fails_to_parse_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.xml");
    std::fs::write(
        &path,
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n\
         <edmx:DataServices>\n\
         <Schema Namespace=\"Ns\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         <EntityType Name=\"T\"><Property Name=\"P\"/></EntityType>\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n",
    )
    .unwrap();
    let output = run(&["list", "--metadata", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.xml:4:"), "{stderr}");
    assert!(stderr.contains("`Type`"), "{stderr}");
}

#[test]
fn missing_metadata_argument_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .arg("list")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--metadata"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let output = run(&["list", "--serch", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--serch"));
}

#[test]
fn deep_nesting_is_refused_with_its_position_instead_of_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.xml");
    // 3,000 nested collections in about 60 KB: this overflowed the stack of `list`.
    let xml = format!(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n\
         <Schema Namespace=\"Ns\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         <Annotations Target=\"Ns.X\"><Annotation Term=\"Ns.T\">{}{}</Annotation></Annotations>\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n",
        "<Collection>".repeat(3_000),
        "</Collection>".repeat(3_000)
    );
    std::fs::write(&path, xml).unwrap();
    let output = run(&["list", "--metadata", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("deep.xml:3:"), "{stderr}");
    assert!(
        stderr.contains("elements are nested more than 256 levels deep"),
        "{stderr}"
    );
}

#[test]
fn warnings_go_to_stderr_and_strict_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.xml");
    std::fs::write(
        &path,
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n\
         <Schema Namespace=\"g\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         <ComplexType Name=\"image\"/>\n\
         <Function Name=\"image\"><ReturnType Type=\"g.image\"/></Function>\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n",
    )
    .unwrap();
    let output = run(&["list", "--metadata", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning: ") && stderr.contains("graph.xml:4:1: Schema[g]/Function[image]: `g.image` names both a complex type and a function"),
        "{stderr}"
    );
    let output = run(&["list", "--metadata", path.to_str().unwrap(), "--strict"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("duplicate schema element name `g.image`"),
        "{stderr}"
    );
}

#[test]
fn odata_v2_metadata_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.xml");
    std::fs::write(
        &path,
        "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\"><edmx:DataServices/></edmx:Edmx>",
    )
    .unwrap();
    let output = run(&["list", "--metadata", path.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("OData v2/v3 metadata is not supported: EDMX version 1.0"),
        "{stderr}"
    );
}

#[test]
fn tables_wrap_to_the_width_from_columns_or_the_flag() {
    let path = sandbox_metadata();
    let path = path.to_str().unwrap();
    let unbounded = run(&["list", "--metadata", path, "--width", "100000"]);
    let wide = text(&unbounded.stdout);
    let widest = wide.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        widest > 80,
        "the sandbox listing has lines over 80: {widest}"
    );
    for (columns, by_flag) in [(80, false), (72, true)] {
        let output = if by_flag {
            Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
                .args(["list", "--metadata", path, "--width", &columns.to_string()])
                .env_remove("COLUMNS")
                .output()
                .unwrap()
        } else {
            Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
                .args(["list", "--metadata", path])
                .env("COLUMNS", columns.to_string())
                .output()
                .unwrap()
        };
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        for line in stdout.lines() {
            assert!(line.chars().count() <= columns, "{line:?} over {columns}");
        }
        // Nothing is lost: the same characters, on more lines.
        let letters = |t: &str| t.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(letters(&stdout), letters(&wide));
        assert!(stdout.lines().count() > wide.lines().count());
    }
}
