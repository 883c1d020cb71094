//! `d365fo-codegen diff`: breaking changes exit 1 with a readable report, additive ones exit 0.
//! (Each change kind, checked against the compiler, is in `diff_kinds.rs`.)
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
    // Each line names the OData member and the generated item that changed.
    let output = diff("breaking.xml", &["--entity-set", "CustomersV3"]);
    let report = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{report}{}",
        text(&output.stderr)
    );
    for expected in [
        "BREAKING  entity type CustomerV3: property `CreditLimit` removed (`CustomerV3.credit_limit`: Option<edm::Decimal>)",
        "BREAKING  entity type CustomerV3: `CustomerV3Key::new` changed: `fn new(data_area_id: impl Into<String>, customer_account: impl Into<String>) -> Self` became `fn new(customer_account: impl Into<String>) -> Self`",
        "BREAKING  entity type CustomerV3: key part `dataAreaId` removed (`CustomerV3Key.data_area_id`: String)",
        "BREAKING  enum type CustomerType: member `Organization` removed (`CustomerType::Organization`)",
        "BREAKING  entity type CustomerV3: property `OrganizationName` changed (`CustomerV3.organization_name`: `Option<String>` became `Option<i64>`)",
        "BREAKING  entity type CustomerV3: property `PaymentTermsDays` may now be null (`CustomerV3.payment_terms_days`: `i32` became `Option<i32>`)",
        "BREAKING  entity type CustomerV3: update field `CreditLimit` can no longer be changed by an update (`CustomerV3Patch.credit_limit`: Option<edm::Decimal> removed)",
        "change    entity type CustomerV3: property `Email` added (`CustomerV3.email`: Option<String>)",
        "14 breaking change(s), 5 other.",
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
        "member `Government` added (`CustomerType::Government`; the enum is `#[non_exhaustive]`",
        "operation PutOnHold: `CustomerV3Set::put_on_hold` added",
        "No breaking changes (8 other).",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    // The navigation property added leads to a type outside the selection: the bindings omit
    // it, so the generated code does not change.
    assert!(!report.contains("CustomerGroup"), "{report}");
}

#[test]
fn changes_outside_the_selection_are_not_compared() {
    // additive.xml also removes VendorsV2's VendorName: breaking once VendorsV2 is compared.
    let everything = diff("additive.xml", &[]);
    assert_eq!(everything.status.code(), Some(1));
    assert!(
        text(&everything.stdout)
            .contains("BREAKING  entity type VendorV2: property `VendorName` removed (`VendorV2.vendor_name`: Option<String>)")
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

#[test]
fn a_document_nested_too_deep_exits_2_naming_the_limit() {
    // 3,000 nested collections in one annotation (60 KB) used to overflow the stack.
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.xml");
    let xml = std::fs::read_to_string(fixture("old.xml"))
        .unwrap()
        .replace(
            "<EntityContainer Name=\"Resources\">",
            &format!(
                "<Annotations Target=\"Microsoft.Dynamics.DataEntities.CustomerV3\"><Annotation \
             Term=\"Org.OData.Core.V1.Description\">{}<String>x</String>{}</Annotation>\
             </Annotations>\n      <EntityContainer Name=\"Resources\">",
                "<Collection>".repeat(3_000),
                "</Collection>".repeat(3_000)
            ),
        );
    std::fs::write(&deep, xml).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(["diff", &fixture("old.xml"), deep.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deep.xml:") && stderr.contains("nested more than 256 levels deep"),
        "{stderr}"
    );
}
