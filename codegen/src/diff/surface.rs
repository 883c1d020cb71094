//! The public surface of generated bindings, read back from the emitted tokens: every public
//! struct and its fields, enum and its variants, module, constant, inherent function and trait
//! implementation, each with the signature user code depends on.
//!
//! Reading the emitted code (rather than re-deriving what the emitter would write) keeps the
//! comparison honest: whatever the emitter decides about nullability, required arguments,
//! write models or names shows up here exactly as user code sees it.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::tokens::{ident_at, literal_text, render_into, skip_item, split_top, strip_generics};

/// Generated code is flat (items, one level of modules); deeper nesting is not walked.
const MAX_MODULE_DEPTH: usize = 8;

/// What a surface entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Struct,
    /// `non_exhaustive`: whether a `match` outside the crate needs a wildcard arm.
    Enum {
        non_exhaustive: bool,
    },
    Module,
    /// `pub trait` (the generated operation traits); its methods are its members.
    Trait,
    Field,
    Variant,
    /// An inherent function or a module-level function.
    Function,
    Const,
    /// `impl Trait for Type` (or a derive); its signature is empty.
    TraitImpl,
    /// An associated type or constant of a trait implementation.
    Associated,
}

/// One public item of the bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) kind: EntryKind,
    /// The key of the item this one belongs to (a field's struct, a method's type, a constant's
    /// module), or `None` at the top level.
    pub(crate) parent: Option<String>,
    /// The Rust name of the item itself (a field, variant or function name; the type name).
    pub(crate) name: String,
    /// What user code depends on: a field's type, a function's `(args) -> ret`, a constant's
    /// `type = value`; empty for items whose presence is all that matters.
    pub(crate) signature: String,
    /// The first back-quoted name of the item's doc comment (its OData name, as the emitter
    /// documents every item), if any.
    pub(crate) odata: Option<String>,
    /// The item's whole doc text.
    pub(crate) doc: String,
}

/// The public items of one set of bindings, by path (`Type`, `Type.field`, `Type::function`,
/// `module::CONST`, `Type as Trait`, `<Type as Trait>::ITEM`).
#[derive(Debug, Default)]
pub(crate) struct Surface {
    pub(crate) entries: BTreeMap<String, Entry>,
}

impl Surface {
    /// Reads the surface of emitted code chunks. Chunks that do not lex are skipped (the
    /// emitter only writes code that does).
    pub(crate) fn read<'c>(chunks: impl IntoIterator<Item = &'c str>, runtime: &str) -> Surface {
        let mut reader = Reader {
            surface: Surface::default(),
            runtime: format!("{runtime}::"),
        };
        for chunk in chunks {
            if let Ok(tokens) = chunk.parse::<TokenStream>() {
                reader.items(tokens, "", None, 0);
            }
        }
        reader.surface
    }
}

/// Attributes of an item: its doc text, derives and whether it is `non_exhaustive`.
#[derive(Default)]
struct Attrs {
    doc: String,
    derives: Vec<String>,
    non_exhaustive: bool,
}

impl Attrs {
    fn odata(&self) -> Option<String> {
        let start = self.doc.find('`')? + 1;
        let len = self.doc[start..].find('`')?;
        Some(self.doc[start..start + len].to_owned())
    }
}

struct Reader {
    surface: Surface,
    /// `::d365fo_odata::`, dropped from rendered types.
    runtime: String,
}

impl Reader {
    fn add(
        &mut self,
        key: String,
        kind: EntryKind,
        parent: Option<&str>,
        name: &str,
        signature: String,
        attrs: &Attrs,
    ) {
        self.surface.entries.insert(
            key,
            Entry {
                kind,
                parent: parent.map(str::to_owned),
                name: name.to_owned(),
                signature,
                odata: attrs.odata(),
                doc: attrs.doc.clone(),
            },
        );
    }

    /// The items of a file or module body; `prefix` is `""` or `module::`.
    fn items(&mut self, tokens: TokenStream, prefix: &str, module: Option<&str>, depth: usize) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            let (attrs, next) = attributes(&tokens, i);
            i = next;
            let public = matches!(tokens.get(i), Some(TokenTree::Ident(id)) if id == "pub");
            if public {
                i += 1;
                if let Some(TokenTree::Group(g)) = tokens.get(i)
                    && g.delimiter() == Delimiter::Parenthesis
                {
                    i += 1;
                }
            }
            let Some(TokenTree::Ident(keyword)) = tokens.get(i) else {
                i += 1;
                continue;
            };
            let keyword = keyword.to_string();
            match keyword.as_str() {
                "struct" | "enum" | "mod" => {
                    let name = ident_at(&tokens, i + 1).unwrap_or_default();
                    let body = tokens[i + 2..].iter().find_map(|t| match t {
                        TokenTree::Group(g) if g.delimiter() != Delimiter::None => Some(g.clone()),
                        _ => None,
                    });
                    i = skip_item(&tokens, i);
                    if !public {
                        continue;
                    }
                    let key = format!("{prefix}{name}");
                    let Some(body) = body else { continue };
                    match keyword.as_str() {
                        "struct" => {
                            self.add(
                                key.clone(),
                                EntryKind::Struct,
                                module,
                                &name,
                                String::new(),
                                &attrs,
                            );
                            for derive in &attrs.derives {
                                self.add(
                                    format!("{key} as {derive}"),
                                    EntryKind::TraitImpl,
                                    Some(&key),
                                    derive,
                                    String::new(),
                                    &Attrs::default(),
                                );
                            }
                            self.fields(body.stream(), &key, body.delimiter());
                        }
                        "enum" => {
                            let kind = EntryKind::Enum {
                                non_exhaustive: attrs.non_exhaustive,
                            };
                            self.add(key.clone(), kind, module, &name, String::new(), &attrs);
                            self.variants(body.stream(), &key);
                        }
                        _ => {
                            self.add(
                                key.clone(),
                                EntryKind::Module,
                                module,
                                &name,
                                String::new(),
                                &attrs,
                            );
                            if depth < MAX_MODULE_DEPTH {
                                self.items(
                                    body.stream(),
                                    &format!("{key}::"),
                                    Some(&key),
                                    depth + 1,
                                );
                            }
                        }
                    }
                }
                "trait" => {
                    let name = ident_at(&tokens, i + 1).unwrap_or_default();
                    let body = tokens[i + 2..].iter().find_map(|t| match t {
                        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Some(g.clone()),
                        _ => None,
                    });
                    i = skip_item(&tokens, i);
                    if !public {
                        continue;
                    }
                    let key = format!("{prefix}{name}");
                    self.add(
                        key.clone(),
                        EntryKind::Trait,
                        module,
                        &name,
                        String::new(),
                        &attrs,
                    );
                    if let Some(body) = body {
                        self.trait_items(body.stream(), &key);
                    }
                }
                "impl" => {
                    let start = i + 1;
                    let Some(body_at) = (start..tokens.len())
                        .find(|&j| matches!(&tokens[j], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
                    else {
                        break;
                    };
                    let header = &tokens[start..body_at];
                    if let TokenTree::Group(body) = &tokens[body_at] {
                        self.implementation(header, body.stream(), prefix);
                    }
                    i = body_at + 1;
                }
                "fn" | "async" | "const" | "type" => {
                    let end = skip_item(&tokens, i);
                    if public {
                        self.member(&tokens[i..end], prefix, module, &attrs, None);
                    }
                    i = end;
                }
                _ => i = skip_item(&tokens, i),
            }
        }
    }

    fn fields(&mut self, body: TokenStream, owner: &str, delimiter: Delimiter) {
        let tokens: Vec<TokenTree> = body.into_iter().collect();
        for (n, field) in split_top(&tokens, ',').into_iter().enumerate() {
            let (attrs, mut i) = attributes(field, 0);
            if matches!(field.get(i), Some(TokenTree::Ident(id)) if id == "pub") {
                i += 1;
            } else {
                continue;
            }
            let (name, ty) = if delimiter == Delimiter::Parenthesis {
                (n.to_string(), &field[i..])
            } else {
                let Some(name) = ident_at(field, i) else {
                    continue;
                };
                (name, field.get(i + 2..).unwrap_or_default())
            };
            let ty = self.render(ty);
            self.add(
                format!("{owner}.{name}"),
                EntryKind::Field,
                Some(owner),
                &name,
                ty,
                &attrs,
            );
        }
    }

    fn variants(&mut self, body: TokenStream, owner: &str) {
        let tokens: Vec<TokenTree> = body.into_iter().collect();
        for variant in split_top(&tokens, ',') {
            let (attrs, i) = attributes(variant, 0);
            let Some(name) = ident_at(variant, i) else {
                continue;
            };
            let payload = self.render(variant.get(i + 1..).unwrap_or_default());
            self.add(
                format!("{owner}::{name}"),
                EntryKind::Variant,
                Some(owner),
                &name,
                payload,
                &attrs,
            );
        }
    }

    /// The methods, constants and types a `pub trait` declares (public by being the trait's).
    fn trait_items(&mut self, body: TokenStream, owner: &str) {
        let tokens: Vec<TokenTree> = body.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            let (attrs, next) = attributes(&tokens, i);
            i = next;
            let end = skip_item(&tokens, i);
            let item = &tokens[i..end.min(tokens.len())];
            // A declaration without a default body ends with `;`, not part of its signature.
            let item = match item.last() {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => &item[..item.len() - 1],
                _ => item,
            };
            self.member(item, &format!("{owner}::"), Some(owner), &attrs, None);
            i = end.max(i + 1);
        }
    }

    /// An `impl` block: inherent public functions and constants, or a trait implementation with
    /// its associated types and constants.
    fn implementation(&mut self, header: &[TokenTree], body: TokenStream, prefix: &str) {
        let header = strip_generics(header);
        let split = header
            .iter()
            .position(|t| matches!(t, TokenTree::Ident(id) if id == "for"));
        let (trait_, self_ty) = match split {
            Some(at) => (
                Some(self.render(&header[..at])),
                self.render(&header[at + 1..]),
            ),
            None => (None, self.render(&header)),
        };
        let owner = format!("{prefix}{self_ty}");
        let trait_key = trait_.as_ref().map(|t| format!("{owner} as {t}"));
        if let (Some(t), Some(key)) = (&trait_, &trait_key) {
            self.add(
                key.clone(),
                EntryKind::TraitImpl,
                Some(&owner),
                t,
                String::new(),
                &Attrs::default(),
            );
        }
        let tokens: Vec<TokenTree> = body.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            let (attrs, next) = attributes(&tokens, i);
            i = next;
            let public = matches!(tokens.get(i), Some(TokenTree::Ident(id)) if id == "pub");
            if public {
                i += 1;
            }
            let end = skip_item(&tokens, i);
            if let Some(t) = &trait_ {
                // Trait methods are the trait's; associated types and constants are this
                // implementation's.
                if matches!(tokens.get(i), Some(TokenTree::Ident(id)) if id == "const" || id == "type")
                {
                    let scope = format!("<{owner} as {t}>::");
                    self.member(
                        &tokens[i..end],
                        &scope,
                        trait_key.as_deref(),
                        &attrs,
                        Some(EntryKind::Associated),
                    );
                }
            } else if public {
                self.member(
                    &tokens[i..end],
                    &format!("{owner}::"),
                    Some(&owner),
                    &attrs,
                    None,
                );
            }
            i = end.max(i + 1);
        }
    }

    /// A function, constant or type alias (`item` starts at its keyword).
    fn member(
        &mut self,
        item: &[TokenTree],
        prefix: &str,
        parent: Option<&str>,
        attrs: &Attrs,
        kind: Option<EntryKind>,
    ) {
        let mut i = 0;
        let mut asyncness = "";
        if matches!(item.first(), Some(TokenTree::Ident(id)) if id == "async") {
            asyncness = "async ";
            i += 1;
        }
        let Some(TokenTree::Ident(keyword)) = item.get(i) else {
            return;
        };
        let Some(name) = ident_at(item, i + 1) else {
            return;
        };
        let rest = item.get(i + 2..).unwrap_or_default();
        let (entry_kind, signature) = match keyword.to_string().as_str() {
            "fn" => {
                let Some(TokenTree::Group(args)) = rest.first() else {
                    return;
                };
                let args: Vec<TokenTree> = args.stream().into_iter().collect();
                let ret_end = rest
                    .iter()
                    .position(
                        |t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace),
                    )
                    .unwrap_or(rest.len());
                let ret = rest.get(1..ret_end).unwrap_or_default();
                let ret = self.render(ret.get(2..).unwrap_or_default());
                let args = split_top(&args, ',')
                    .into_iter()
                    .map(|a| self.render(a))
                    .collect::<Vec<_>>()
                    .join(", ");
                let ret = if ret.is_empty() {
                    String::new()
                } else {
                    format!(" -> {ret}")
                };
                (
                    EntryKind::Function,
                    format!("{asyncness}fn {name}({args}){ret}"),
                )
            }
            "const" | "type" => {
                let body: Vec<TokenTree> = rest
                    .iter()
                    .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
                    .cloned()
                    .collect();
                (
                    EntryKind::Const,
                    self.render(body.get(1..).unwrap_or_default()),
                )
            }
            _ => return,
        };
        let kind = kind.unwrap_or(entry_kind);
        self.add(
            format!("{prefix}{name}"),
            kind,
            parent,
            &name,
            signature,
            attrs,
        );
    }

    /// Tokens as compact Rust text: `Option<Vec<Related<Target>>>`, `impl Into<String>`,
    /// without the runtime crate's path or `super::`.
    fn render(&self, tokens: &[TokenTree]) -> String {
        let mut out = String::new();
        render_into(tokens, &mut out);
        out.replace(&self.runtime, "")
            .replace("super::", "")
            .trim()
            .to_owned()
    }
}

/// The attributes starting at `i`, and the index after them.
fn attributes(tokens: &[TokenTree], mut i: usize) -> (Attrs, usize) {
    let mut attrs = Attrs::default();
    while let (Some(TokenTree::Punct(p)), Some(TokenTree::Group(g))) =
        (tokens.get(i), tokens.get(i + 1))
    {
        if p.as_char() != '#' || g.delimiter() != Delimiter::Bracket {
            break;
        }
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        match inner.first() {
            Some(TokenTree::Ident(id)) if id == "doc" => {
                if let Some(TokenTree::Literal(l)) = inner.get(2) {
                    if !attrs.doc.is_empty() {
                        attrs.doc.push('\n');
                    }
                    attrs.doc.push_str(literal_text(&l.to_string()).trim());
                }
            }
            Some(TokenTree::Ident(id)) if id == "derive" => {
                if let Some(TokenTree::Group(list)) = inner.get(1) {
                    let list: Vec<TokenTree> = list.stream().into_iter().collect();
                    for path in split_top(&list, ',') {
                        if let Some(TokenTree::Ident(last)) = path.last() {
                            attrs.derives.push(last.to_string());
                        }
                    }
                }
            }
            Some(TokenTree::Ident(id)) if id == "non_exhaustive" => attrs.non_exhaustive = true,
            _ => {}
        }
        i += 2;
    }
    (attrs, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_functions_constants_and_trait_items_are_read_with_their_signatures() {
        let code = r#"
/// Entity type `Ns.T`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct T {
    /// `Name` (`Edm.String`).
    pub name: Option<String>,
    pub related: Option<::d365fo_odata::Related<Vec<U>>>,
}
impl T {
    /// The key.
    pub fn new(a: impl Into<String>, b: i32) -> Self { Self { } }
    fn private() {}
}
impl ::d365fo_odata::Entity for T {
    const ENTITY_SET: &'static str = "Ts";
    type Key = TKey;
    fn etag(&self) -> Option<&::d365fo_odata::ETag> { None }
}
pub mod t {
    pub const NAME: ::d365fo_odata::Field<super::T, String> = ::d365fo_odata::Field::new("Name");
    pub async fn run(client: &::d365fo_odata::Client, x: &[i32]) -> ::d365fo_odata::Result<()> { todo() }
}
#[non_exhaustive]
pub enum K { A, Unknown(String) }
"#;
        let s = Surface::read([code], "::d365fo_odata");
        let sig = |k: &str| s.entries.get(k).map(|e| e.signature.as_str());
        assert_eq!(sig("T.name"), Some("Option<String>"));
        assert_eq!(s.entries["T.name"].odata.as_deref(), Some("Name"));
        assert_eq!(sig("T.related"), Some("Option<Related<Vec<U>>>"));
        assert_eq!(
            sig("T::new"),
            Some("fn new(a: impl Into<String>, b: i32) -> Self")
        );
        assert_eq!(sig("T::private"), None);
        assert!(s.entries.contains_key("T as Default"));
        assert!(s.entries.contains_key("T as Entity"));
        assert_eq!(
            sig("<T as Entity>::ENTITY_SET"),
            Some("&'static str = \"Ts\"")
        );
        assert_eq!(sig("<T as Entity>::Key"), Some("TKey"));
        assert_eq!(sig("<T as Entity>::etag"), None);
        assert_eq!(
            sig("t::NAME"),
            Some("Field<T, String> = Field::new(\"Name\")")
        );
        assert_eq!(
            sig("t::run"),
            Some("async fn run(client: &Client, x: &[i32]) -> Result<()>")
        );
        assert_eq!(sig("K::Unknown"), Some("(String)"));
        assert_eq!(
            s.entries["K"].kind,
            EntryKind::Enum {
                non_exhaustive: true
            }
        );
    }
}
