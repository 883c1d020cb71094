//! `d365fo-codegen diff`: breaking changes exit 1 with a readable report, additive ones exit 0.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn diff(new: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .arg("diff")
        .arg(fixture("old.xml"))
        .arg(fixture(new))
        .args(extra)
        .output()
        .expect("run d365fo-codegen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn removed_property_changed_key_and_removed_enum_member_exit_1_with_a_report() {
    let output = diff("breaking.xml", &["--entity-set", "CustomersV3"]);
    let report = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{report}{}",
        text(&output.stderr)
    );
    for expected in [
        "BREAKING  entity type CustomerV3: property `CreditLimit` removed (was Edm.Decimal)",
        "BREAKING  entity type CustomerV3: key changed from (dataAreaId, CustomerAccount) to (CustomerAccount)",
        "BREAKING  enum type CustomerType: member `Organization` removed",
        "BREAKING  entity type CustomerV3: property `OrganizationName` changed type from Edm.String to Edm.Int64",
        "BREAKING  entity type CustomerV3: property `PaymentTermsDays` is now nullable",
        "change    entity type CustomerV3: property `Email` added (Edm.String, nullable)",
        "5 breaking change(s), 1 other.",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}

#[test]
fn additive_changes_only_exit_0() {
    let output = diff("additive.xml", &["--entity-set", "CustomersV3"]);
    let report = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(!report.contains("BREAKING"), "{report}");
    for expected in [
        "property `Email` added",
        "navigation property `CustomerGroup` added",
        "member `Government` = 3 added",
        "No breaking changes (4 other).",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}

#[test]
fn changes_outside_the_selection_are_not_compared() {
    // additive.xml also removes VendorsV2's VendorName: breaking once VendorsV2 is compared.
    let everything = diff("additive.xml", &[]);
    assert_eq!(everything.status.code(), Some(1));
    assert!(
        text(&everything.stdout)
            .contains("BREAKING  entity type VendorV2: property `VendorName` removed")
    );
    let selected = diff("additive.xml", &["-e", "CustomersV3"]);
    assert_eq!(selected.status.code(), Some(0));
}

#[test]
fn selection_is_read_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("d365fo-codegen.toml");
    std::fs::write(&config, "[select]\nentity_sets = [\"CustomersV3\"]\n").unwrap();
    let output = diff("additive.xml", &["--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn identical_documents_report_no_changes() {
    let output = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(["diff", &fixture("old.xml"), &fixture("old.xml")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("No changes."));
}

#[test]
fn unknown_entity_set_exits_2_with_a_suggestion() {
    let output = diff("additive.xml", &["-e", "CustomerV3"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `CustomersV3`?"), "{stderr}");
}

#[test]
fn unreadable_metadata_exits_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(["diff", &fixture("old.xml"), &fixture("missing.xml")])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing.xml"), "{stderr}");
}
