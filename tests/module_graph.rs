//! Sibling modules of `src/` and of `codegen/src/` do not import each other in circles.
//!
//! The test reads every `.rs` file of both crates once, finds the module each file defines, and
//! collects the references each module makes to the others: the paths of every `use` tree
//! (flattened, so `use crate::{a::B, c::{D, E}}` gives three paths) and every path that starts with
//! `crate::`, `super::` or `self::` anywhere in the code. Each path is made absolute, followed
//! through `pub use` re-exports to the module that defines the item, and turned into an edge
//! between the two children of the closest common ancestor: a reference from `a::x` to `b::y` is
//! the edge `a -> b`, one from `a::x` to `a::y` the edge `x -> y` inside `a`. A reference to an
//! ancestor or a descendant is not an edge. The strongly connected components of that graph with
//! more than one module are the circles; the failure message names each of them
//! (`client -> query -> client`) with the file, line and reference behind every edge.
//!
//! Test-only code does not count: files named `tests.rs` or `test_server.rs`, anything under a
//! `tests/` folder, binaries under `bin/`, and the bodies of `#[cfg(test)]` inline modules.
//! Comments, string and character literals are skipped by a small tokenizer, and so are the
//! bodies of `quote!` (code a generator writes names the generated crate). An inline
//! `mod name { … }` is a module of its own. Glob re-exports (`pub use a::*`) are not followed: a
//! reference through one stops at the re-exporting module.
//!
//! The parts: `source` reads a crate's files, `lexer` splits one into tokens, `scan` collects its
//! references, `graph` resolves them into edges, finds the circles and writes the report.

#[path = "module_graph/graph.rs"]
mod graph;
#[path = "module_graph/lexer.rs"]
mod lexer;
#[path = "module_graph/scan.rs"]
mod scan;
#[path = "module_graph/source.rs"]
mod source;

use std::collections::BTreeMap;
use std::path::Path;

use graph::{build_graph, name};
use source::{GraphError, SourceFile, load_crate, module_of};

/// Loads the crate whose `src/` folder is `relative` (to the repository root) and checks it.
fn assert_no_circles(relative: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let files = load_crate(&root).unwrap_or_else(|e| panic!("{e}"));
    let graph = build_graph(&files).unwrap_or_else(|e| panic!("{e}"));
    // Guards against a walk that silently finds nothing.
    assert!(
        files.len() > 10,
        "only {} files read under {relative}",
        files.len()
    );
    assert!(
        graph.edge_count() > files.len() / 2,
        "only {} edges under {relative}",
        graph.edge_count()
    );
    let circles = graph.circles();
    assert!(circles.is_empty(), "{relative}: {}", graph.report(&circles));
}

#[test]
fn runtime_modules_import_no_circles() {
    assert_no_circles("src");
}

#[test]
fn codegen_modules_import_no_circles() {
    assert_no_circles("codegen/src");
}

/// An in-memory crate: `(path below src/, text)` pairs; test-only paths are left out.
fn tree(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .filter_map(|&(path, text)| {
            let module = module_of(Path::new(path))?;
            Some(SourceFile {
                display: path.to_owned(),
                module,
                text: text.to_owned(),
            })
        })
        .collect()
}

/// The edges of an in-memory crate, as `from -> to` names.
fn edges_of(files: &[(&str, &str)]) -> Vec<String> {
    let graph = build_graph(&tree(files)).unwrap_or_else(|e| panic!("{e}"));
    let pairs = graph
        .edges
        .iter()
        .flat_map(|(from, to)| to.keys().map(move |to| (from, to)));
    pairs
        .map(|(from, to)| format!("{} -> {}", name(from), name(to)))
        .collect()
}

/// The report of an in-memory crate's circles, which must not be empty.
fn circle_report(files: &[(&str, &str)]) -> String {
    let graph = build_graph(&tree(files)).unwrap_or_else(|e| panic!("{e}"));
    let circles = graph.circles();
    assert!(
        !circles.is_empty(),
        "no circle found, edges: {:?}",
        graph.edges.keys()
    );
    graph.report(&circles)
}

#[test]
fn two_files_importing_each_other_are_a_circle() {
    let report = circle_report(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        ("b.rs", "pub struct B;\nfn f(_: super::a::A) {}\n"),
    ]);
    assert!(report.starts_with("1 import circle(s)"), "{report}");
    assert!(report.contains("  a -> b -> a\n"), "{report}");
    assert!(
        report.contains("a -> b: a.rs:1 `use crate::b::B`;"),
        "{report}"
    );
    assert!(report.contains("b -> a: b.rs:2 `super::a::A`;"), "{report}");
}

#[test]
fn a_circle_through_a_reexport_is_found() {
    // `a` names `crate::Thing`, which the root re-exports from `b`, which re-exports it from
    // `b::inner`; without following re-exports the reference would point at the root.
    let files = [
        ("lib.rs", "mod a;\nmod b;\npub use b::Thing;\n"),
        ("a.rs", "use crate::Thing;\npub fn helper() {}\n"),
        (
            "b/mod.rs",
            "mod inner;\npub(crate) use inner::Thing as Thing;\n",
        ),
        (
            "b/inner.rs",
            "pub struct Thing;\nfn f() { crate::a::helper() }\n",
        ),
    ];
    let report = circle_report(&files);
    assert!(
        report.contains("a -> b: a.rs:1 `use crate::Thing`;"),
        "{report}"
    );
    assert!(
        report.contains("b -> a: b/inner.rs:2 `crate::a::helper`;"),
        "{report}"
    );
}

#[test]
fn siblings_inside_a_module_are_compared_there() {
    let files = [
        ("lib.rs", "mod q;\nmod other;\n"),
        ("q/mod.rs", "mod x;\nmod y;\n"),
        (
            "q/x.rs",
            "use super::{y::Y, super::other};\npub struct X;\n",
        ),
        ("q/y.rs", "use crate::q::x::X;\npub struct Y;\n"),
        ("other.rs", "use crate::q::x::X;\n"),
    ];
    let report = circle_report(&files);
    assert!(report.contains("  q::x -> q::y -> q::x\n"), "{report}");
    let edges = edges_of(&files);
    assert_eq!(
        edges,
        ["other -> q", "q -> other", "q::x -> q::y", "q::y -> q::x"]
    );
}

#[test]
fn every_circle_is_reported() {
    let files = [
        ("lib.rs", "mod a; mod b; mod c; mod d; mod e;"),
        ("a.rs", "use crate::b::X;"),
        ("b.rs", "use crate::{a::X, c::Y};"),
        ("c.rs", "use crate::b::X;"),
        ("d.rs", "use crate::e::X;"),
        ("e.rs", "use crate::d::X;"),
    ];
    let report = circle_report(&files);
    assert!(report.starts_with("2 import circle(s)"), "{report}");
    assert!(
        report.contains("circle 1: a, b, c\n  a -> b -> a\n"),
        "{report}"
    );
    assert!(report.contains("  c -> b -> c\n"), "{report}");
    assert!(
        report.contains("circle 2: d, e\n  d -> e -> d\n"),
        "{report}"
    );
}

#[test]
fn a_layered_crate_passes() {
    let files = [
        (
            "lib.rs",
            "mod client;\nmod error;\nmod query;\nmod wire;\npub use client::Client;\n",
        ),
        ("error.rs", "pub struct Error;\n"),
        ("wire.rs", "use crate::error::Error;\n"),
        (
            "client/mod.rs",
            "mod pool;\nuse crate::{error::Error, wire};\nuse pool::Pool;\n",
        ),
        (
            "client/pool.rs",
            "use super::super::wire::X;\nuse super::Client;\n",
        ),
        (
            "query.rs",
            "use crate::Client;\nfn f() -> crate::error::Error { todo!() }\n",
        ),
    ];
    let graph = build_graph(&tree(&files)).unwrap_or_else(|e| panic!("{e}"));
    let circles = graph.circles();
    assert!(circles.is_empty(), "{}", graph.report(&circles));
    let edges = edges_of(&files);
    assert_eq!(
        edges,
        [
            "client -> error",
            "client -> wire",
            "query -> client",
            "query -> error",
            "wire -> error"
        ]
    );
}

#[test]
fn use_trees_are_flattened() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "a.rs",
            "pub use crate::{b::{self, B}, c::{C as Sea, d::{D, E,},},};\n",
        ),
        ("b.rs", ""),
        ("c/mod.rs", "mod d;\n"),
        ("c/d.rs", ""),
    ];
    let graph = build_graph(&tree(&files)).unwrap_or_else(|e| panic!("{e}"));
    let texts: Vec<&str> = graph
        .edges
        .values()
        .flat_map(BTreeMap::values)
        .flatten()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "use crate::b",
            "use crate::b::B",
            "use crate::c::C as Sea",
            "use crate::c::d::D",
            "use crate::c::d::E"
        ]
    );
}

#[test]
fn test_code_comments_and_literals_are_not_references() {
    let a = r####"
        // use crate::b::B;
        /* crate::b::B /* nested */ crate::b::B */
        const S: &str = "use crate::b::B; \" crate::b::B";
        const R: &str = r#"use crate::b::B; "# ;
        const C: char = '"'; const Q: char = '\''; fn f<'a>(_: &'a str) {}
        #[cfg(test)]
        #[allow(unused)]
        mod tests { use crate::b::B; fn g() { crate::b::B; } }
        #[cfg(test)]
        use crate::b::B;
        mod inner { pub use super::super::c::C; }
        fn after() { crate::c::C; }
    "####;
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        ("a/mod.rs", a),
        ("a/tests.rs", "use crate::b::B;"),
        ("a/tests/more.rs", "use crate::b::B;"),
        ("a/test_server.rs", "use crate::b::B;"),
        ("bin/tool.rs", "use crate::b::B;"),
        ("b.rs", "use crate::a::A;\n"),
        ("c.rs", "#![cfg(test)]\nuse crate::b::B;\n"),
    ];
    assert_eq!(edges_of(&files), ["a -> c", "b -> a"]);
    // `a::inner` is its own module: its `super::super` is the root. And the code after the
    // test module still counts.
    assert_eq!(
        evidence_of(&files, "a", "c"),
        [
            "a/mod.rs:12 `use super::super::c::C`",
            "a/mod.rs:13 `crate::c::C`"
        ]
    );
}

/// The references behind the edge `from -> to` of an in-memory crate.
fn evidence_of(files: &[(&str, &str)], from: &str, to: &str) -> Vec<String> {
    let graph = build_graph(&tree(files)).unwrap_or_else(|e| panic!("{e}"));
    let (from, to) = (vec![from.to_owned()], vec![to.to_owned()]);
    let evidence = graph.edges.get(&from).and_then(|targets| targets.get(&to));
    evidence
        .into_iter()
        .flatten()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_crate_is_read_from_its_folder_tree() {
    let root = std::env::temp_dir().join(format!("module_graph_{}", std::process::id()));
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "mod a;\nmod b;\n");
    write("a/mod.rs", "mod x;\nuse crate::b::B;\n");
    write("a/x.rs", "use crate::b::B;\n");
    write("a/tests.rs", "use crate::b::B;\n");
    write("b.rs", "pub struct B;\nuse crate::a::A;\n");
    write("bin/tool/main.rs", "use crate::a::A;\n");
    write("README.md", "use crate::a::A;\n");
    let loaded = load_crate(&root);
    let deep = root.join(["d"; 40].join("/"));
    std::fs::create_dir_all(&deep).expect("mkdir");
    let too_deep = load_crate(&root);
    std::fs::remove_dir_all(&root).expect("remove the scratch folder");

    let files = loaded.unwrap_or_else(|e| panic!("{e}"));
    let modules: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.display.replace(&*root.to_string_lossy(), ""),
                name(&f.module),
            )
        })
        .collect();
    let expected = [
        ("/a/mod.rs", "a"),
        ("/a/x.rs", "a::x"),
        ("/b.rs", "b"),
        ("/lib.rs", "crate"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(f, m)| (f.to_owned(), m.to_owned()))
        .collect();
    assert_eq!(modules, expected);
    let graph = build_graph(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        graph.circles().len(),
        1,
        "{}",
        graph.report(&graph.circles())
    );
    assert!(
        matches!(too_deep, Err(GraphError::TooDeep { .. })),
        "{:?}",
        too_deep.map(|f| f.len())
    );
}

#[test]
fn module_paths_follow_the_file_layout() {
    let module = |path: &str| module_of(Path::new(path));
    assert_eq!(module("lib.rs"), Some(vec![]));
    assert_eq!(module("main.rs"), Some(vec![]));
    assert_eq!(module("client/mod.rs"), Some(vec!["client".to_owned()]));
    assert_eq!(
        module("query/select/rows.rs"),
        Some(vec![
            "query".to_owned(),
            "select".to_owned(),
            "rows".to_owned()
        ])
    );
    assert_eq!(
        module("edm/main.rs"),
        Some(vec!["edm".to_owned(), "main".to_owned()])
    );
    for skipped in [
        "tests.rs",
        "batch/tests.rs",
        "transport/tests/mod.rs",
        "transport/test_server.rs",
        "bin/x/main.rs",
        "notes.md",
    ] {
        assert_eq!(module(skipped), None, "{skipped}");
    }
}

#[test]
fn hostile_sources_are_typed_errors() {
    let error = |text: &str| match build_graph(&tree(&[("lib.rs", "mod a;"), ("a.rs", text)])) {
        Ok(_) => panic!("accepted {text:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        error("fn f() {}\n/* open"),
        "a.rs:2: block comment is never closed"
    );
    assert_eq!(
        error("\n\nconst S: &str = \"open"),
        "a.rs:3: string is never closed"
    );
    assert_eq!(
        error("const S: &str = r##\"open\"#;"),
        "a.rs:1: string is never closed"
    );
    assert_eq!(error("fn f() {}\n}"), "a.rs:2: `}` closes nothing");
    assert_eq!(error("mod m {\nfn f() {}"), "a.rs:1: `{` is never closed");
    assert_eq!(
        error("#[cfg(test)]\nmod tests {"),
        "a.rs:2: test module is never closed"
    );
    let deep = format!("use crate::{}x{};", "a::{".repeat(100), "}".repeat(100));
    assert_eq!(
        error(&deep),
        "a.rs:1: `use` tree nested more than 16 levels deep"
    );
    let many = format!("use {{{}}}", "use, ".repeat(100_000));
    assert_eq!(
        edges_of(&[("lib.rs", "mod a;"), ("a.rs", &many)]),
        Vec::<String>::new()
    );
    let duplicate = build_graph(&tree(&[("lib.rs", ""), ("a.rs", ""), ("a/mod.rs", "")]));
    assert!(
        matches!(duplicate, Err(GraphError::DuplicateModule { .. })),
        "{duplicate:?}"
    );
    // Code that a generator writes (`quote!`) names the generated crate: not a reference. A
    // `macro_rules!` body names this one.
    let macros = [
        ("lib.rs", "mod a;\nmod b;\nmod c;"),
        (
            "a.rs",
            "fn f() { quote!(#(pub use super::#b;)* use crate::b::#x; crate::b::f()); }",
        ),
        ("b.rs", ""),
        ("c.rs", "macro_rules! m { () => { use $crate::b::B; }; }"),
    ];
    assert_eq!(edges_of(&macros), ["c -> b"]);
}
