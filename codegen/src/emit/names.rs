//! Rust identifiers from OData names, and the deterministic renames that keep them unique.
//!
//! Rules (documented on [`crate::generator`]):
//! - types are `UpperCamelCase`, fields and modules `snake_case`, handles `SHOUTY_SNAKE_CASE`;
//! - a character that is not an ASCII letter or digit becomes `_` followed by its code point in
//!   hex (`Größe` → `Gr_f6_dfe`) before the case conversion;
//! - a name that starts with a digit gets a prefix (`T` for types, `n` for fields and modules,
//!   `N` for handles);
//! - a Rust keyword gets a trailing `_` (`type` → `type_`);
//! - a name already taken gets a suffix: for types by kind (`Enum`, `Complex`, `Def`, `Params`),
//!   then a number from 2 on; fields and handles a number from 2 on. Types are named in a fixed
//!   order (entity types, complex types, enums, type definitions, then operations), each group
//!   in document order, so renames never depend on anything but the document and the selection.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

/// Names of the prelude and of the generated code's own helpers that a type must not shadow.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Iterator",
    "From",
    "Into",
    "ToString",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsRef",
    "AsMut",
    "ToOwned",
    "Self",
    "Profile",
];

/// Replaces characters other than ASCII letters, digits and `_`.
fn ascii(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    out
}

fn finish(mut name: String, digit_prefix: &str, fallback: &str) -> String {
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, digit_prefix);
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// `UpperCamelCase` type name.
pub(crate) fn type_name(name: &str) -> String {
    finish(ascii(name).to_upper_camel_case(), "T", "Unnamed")
}

/// `snake_case` field, function or module name.
pub(crate) fn snake(name: &str) -> String {
    finish(ascii(name).to_snake_case(), "n", "unnamed")
}

/// `SHOUTY_SNAKE_CASE` constant name.
pub(crate) fn shouty(name: &str) -> String {
    finish(ascii(name).to_shouty_snake_case(), "N", "UNNAMED")
}

/// A set of names in one Rust namespace, handing out unique ones.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scope {
    taken: HashSet<String>,
    /// Compare ignoring ASCII case (type names: F&O enum/entity collisions are case-insensitive).
    ignore_case: bool,
}

impl Scope {
    pub(crate) fn new(reserved: &[&str]) -> Self {
        let mut scope = Scope::default();
        for name in reserved {
            scope.taken.insert((*name).to_owned());
        }
        scope
    }

    /// The scope for top-level type names.
    pub(crate) fn types() -> Self {
        let mut scope = Scope {
            taken: HashSet::new(),
            ignore_case: true,
        };
        for name in RESERVED_TYPES {
            scope.taken.insert(name.to_ascii_lowercase());
        }
        scope
    }

    fn normal(&self, name: &str) -> String {
        if self.ignore_case {
            name.to_ascii_lowercase()
        } else {
            name.to_owned()
        }
    }

    pub(crate) fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(&self.normal(name))
    }

    pub(crate) fn take(&mut self, name: &str) {
        let normal = self.normal(name);
        self.taken.insert(normal);
    }

    /// `wanted` if free, else `wanted2`, `wanted3`, ... (with `_` before the number when
    /// `wanted` is snake case).
    pub(crate) fn unique(&mut self, wanted: &str) -> String {
        let name = self.first_free(wanted, |_| true);
        self.take(&name);
        name
    }

    /// The first of `wanted`, `wanted2`, ... that is free and for which `also_free` holds.
    pub(crate) fn first_free(&self, wanted: &str, also_free: impl Fn(&str) -> bool) -> String {
        if self.is_free(wanted) && also_free(wanted) {
            return wanted.to_owned();
        }
        let separator = if wanted.contains('_') || wanted.starts_with(|c: char| c.is_lowercase()) {
            "_"
        } else {
            ""
        };
        let base = wanted.trim_end_matches('_');
        (2..)
            .map(|n| format!("{base}{separator}{n}"))
            .find(|candidate| self.is_free(candidate) && also_free(candidate))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_case_keywords_digits_and_non_ascii() {
        assert_eq!(type_name("CustomerV3"), "CustomerV3");
        assert_eq!(snake("CustomerV3"), "customer_v3");
        assert_eq!(snake("dataAreaId"), "data_area_id");
        assert_eq!(shouty("dataAreaId"), "DATA_AREA_ID");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("1stLine"), "n1st_line");
        assert_eq!(type_name("2Fast"), "T2fast");
        assert_eq!(snake("Größe"), "gr_f6_df_e");
        assert_eq!(type_name("Self"), "Self_");
    }

    #[test]
    fn unique_names_get_numbered_suffixes() {
        let mut scope = Scope::new(&["etag"]);
        assert_eq!(scope.unique("etag"), "etag_2");
        assert_eq!(scope.unique("name"), "name");
        assert_eq!(scope.unique("name"), "name_2");
        let mut types = Scope::types();
        assert_eq!(types.unique("NoYes"), "NoYes");
        assert!(!types.is_free("NOYES"));
        assert_eq!(types.unique("Option"), "Option2");
    }
}
