//! Bidirectional control characters in names (`tests/fixtures/hostile/bidi_names.xml`): the
//! reader keeps names as written, so the emitter must keep them out of comments (rustc's
//! deny-by-default `text_direction_codepoint_in_comment`) and escape them in string literals
//! (`text_direction_codepoint_in_literal`). The bindings are checked with `cargo check`.

use std::path::{Path, PathBuf};
use std::process::Command;

use d365fo_odata_codegen::Generator;

const CONTROLS: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/bidi_names.xml")
}

fn bindings() -> String {
    Generator::from_file(fixture())
        .unwrap()
        .all_entity_sets()
        .operations(["Look\u{202E}"])
        .rustfmt(false)
        .generate()
        .unwrap()
        .code
}

#[test]
fn generated_code_holds_no_raw_bidirectional_control_and_shows_them_in_docs() {
    let code = bindings();
    let raw: Vec<(usize, &str)> = code
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(CONTROLS))
        .collect();
    assert!(raw.is_empty(), "raw controls on lines {raw:?}");
    // Docs name the element as the document does, the control written out.
    assert!(
        code.contains("/// `Id U+202E` (`Edm.String`, key).")
            || code.contains("/// `IdU+202E` (`Edm.String`, key)."),
        "{code}"
    );
    // Wire names keep the character, escaped: requests name the property as the service does.
    assert!(code.contains(r#""Id\u{202e}""#), "{code}");
}

/// Slow (a `cargo check` of a scratch crate; shares the corpus compile test's target directory).
#[test]
fn bindings_with_bidirectional_controls_in_names_compile_without_warnings() {
    let code = bindings();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let krate = target.join("hostile-text-check");
    let _ = std::fs::remove_dir_all(&krate);
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"hostile-text-check\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nd365fo-odata = {{ path = {:?} }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n",
            runtime.canonicalize().unwrap()
        ),
    )
    .unwrap();
    let _ = std::fs::copy(runtime.join("Cargo.lock"), krate.join("Cargo.lock"));
    std::fs::write(krate.join("src/bindings.rs"), &code).unwrap();
    std::fs::write(
        krate.join("src/lib.rs"),
        "//! Bindings of a document with bidirectional controls in names.\n\n\
         /// The bindings.\npub mod bindings;\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", target.join("emit-corpus-check-target"))
        .env(
            "RUSTFLAGS",
            "-D warnings -W missing_docs -W unreachable_pub -W rust_2018_idioms",
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let _ = std::fs::remove_dir_all(&krate);
}
