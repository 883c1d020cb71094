//! The bindings generated for the sandbox's checked-in `$metadata` are pinned by a snapshot, and
//! the generator's guarantees (determinism, header, errors) hold on it.

use std::path::{Path, PathBuf};

use d365fo_odata_codegen::{GenerateError, Generator, Profile};

fn sandbox_metadata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sandbox/metadata.xml")
}

fn sandbox() -> Generator {
    Generator::from_file(sandbox_metadata())
        .unwrap()
        .all_entity_sets()
        .operations(["SetCustomerOnHold", "GetCustomerCount"])
}

#[test]
fn sandbox_bindings_match_snapshot() {
    let generated = sandbox().generate().unwrap();
    insta::assert_snapshot!("sandbox_bindings", generated.code);
}

#[test]
fn output_is_deterministic_and_names_version_and_fingerprint() {
    let a = sandbox().generate().unwrap();
    let b = sandbox().generate().unwrap();
    assert_eq!(a.code, b.code);
    assert_eq!(a.fingerprint.len(), 64);
    let header: Vec<&str> = a.code.lines().take(3).collect();
    assert!(header[0].contains(env!("CARGO_PKG_VERSION")), "{header:?}");
    assert!(header[0].contains("`metadata.xml`"), "{header:?}");
    assert!(header[1].contains(&a.fingerprint), "{header:?}");
    assert!(header[2].contains("Finance & Operations"), "{header:?}");
}

#[test]
fn generic_profile_makes_enums_ordered() {
    let fno = sandbox().generate().unwrap().code;
    let generic = sandbox().profile(Profile::Generic).generate().unwrap().code;
    assert!(!fno.contains("Ordered<"));
    assert!(
        generic
            .contains("::d365fo_odata::Ordered<::d365fo_odata::profile::GenericOData> for NoYes")
    );
    assert!(generic.contains("type Profile = ::d365fo_odata::profile::GenericOData;"));
}

#[test]
fn unknown_entity_set_is_an_error_with_a_suggestion() {
    let err = Generator::from_file(sandbox_metadata())
        .unwrap()
        .entity_sets(["CustomerV3"])
        .generate()
        .unwrap_err();
    assert!(matches!(err, GenerateError::Select(_)));
    let message = err.to_string();
    assert!(
        message.contains("unknown entity set `CustomerV3`"),
        "{message}"
    );
    assert!(message.contains("CustomersV3"), "{message}");
}

#[test]
fn empty_selection_is_an_error() {
    let err = Generator::from_file(sandbox_metadata())
        .unwrap()
        .generate()
        .unwrap_err();
    assert!(matches!(err, GenerateError::EmptySelection { .. }), "{err}");
}

#[test]
fn metadata_that_fails_to_parse_reports_its_position() {
    let bytes = b"<?xml version=\"1.0\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"N\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n      <EntityType Name=\"A\"><Property Name=\"X\"/></EntityType>\n";
    let err = Generator::from_bytes(bytes, "broken.xml").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, GenerateError::Parse(_)));
    assert!(message.contains("broken.xml:5:"), "{message}");
}

#[test]
fn unwritable_output_is_an_error_and_leaves_nothing_behind() {
    let dir = std::env::temp_dir().join(format!("emit-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("no-such-dir").join("out.rs");
    let err = sandbox().write_to_file(&missing).unwrap_err();
    assert!(matches!(err, GenerateError::Io { .. }), "{err}");
    assert!(err.to_string().contains("no-such-dir"), "{err}");

    let target = dir.join("out.rs");
    std::fs::write(&target, "previous").unwrap();
    let err = Generator::from_file(sandbox_metadata())
        .unwrap()
        .entity_sets(["Nope"])
        .write_to_file(&target)
        .unwrap_err();
    assert!(matches!(err, GenerateError::Select(_)));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous");

    sandbox().write_to_file(&target).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_to_out_dir_needs_a_build_script() {
    if std::env::var_os("OUT_DIR").is_none() {
        let err = sandbox().write_to_out_dir("x.rs").unwrap_err();
        assert!(matches!(err, GenerateError::NoOutDir));
    }
}

/// `GET {base}/data/$metadata` over plain HTTP/1.0 (the sandbox listens on 127.0.0.1 only).
fn fetch_live_metadata(base_url: &str, token: Option<&str>) -> Vec<u8> {
    use std::io::{Read, Write};
    let authority = base_url
        .strip_prefix("http://")
        .expect("sandbox URL is http")
        .trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET /data/$metadata HTTP/1.0\r\nHost: {authority}\r\n{auth}Accept: application/xml\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP response with headers");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    response[split + 4..].to_vec()
}

#[test]
fn checked_in_metadata_is_what_the_live_sandbox_serves() {
    let sandbox = d365fo_sandbox::Sandbox::shared();
    let live = fetch_live_metadata(sandbox.base_url(), sandbox.token());
    let checked_in = std::fs::read(sandbox_metadata()).unwrap();
    assert!(
        live == checked_in,
        "tests/sandbox/metadata.xml differs from the live sandbox's $metadata; refresh it with \
         `curl {}/data/$metadata -o tests/sandbox/metadata.xml` (with the bearer token when set) \
         and review the snapshot changes",
        sandbox.base_url()
    );
}
