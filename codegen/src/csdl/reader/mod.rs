//! Streaming CSDL XML reader: quick-xml events in, model structs out, no DOM in between.
//!
//! Each `read_*` method consumes one element and its children. Elements the model does not
//! know are skipped as whole subtrees, so newer CSDL versions and vendor extensions load.
//! Names are interned (see [`super::intern`]) and alias resolution happens afterwards in
//! [`super::resolve`], once every alias in the document is known.

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use quick_xml::XmlVersion;
use quick_xml::events::attributes::Attributes;

use super::annotation::{
    Annotation, AnnotationBlock, AnnotationValue, ConstantKind, Expression, PathKind,
    PropertyValue, Record,
};
use super::container::{
    EntityContainer, EntitySet, NavigationPropertyBinding, OperationImport, Singleton,
};
use super::error::{ErrorKind, RawError};
use super::intern::Interner;
use super::model::{Include, IncludeAnnotations, Reference, Schema};
use super::operations::{Operation, OperationKind, Parameter, ReturnType};
use super::options::ReadOptions;
use super::types::{
    ComplexType, EntityType, EnumMember, EnumType, Facets, Key, MaxLength, NavigationProperty,
    OnDeleteAction, Property, PropertyRef, ReferentialConstraint, Scale, Srid, Term,
    TypeDefinition, TypeRef,
};
use super::warning::{WarningKind, WarningSink, is_bidi_control};

mod annotations;
mod container;
mod events;
mod structure;
mod types;

#[cfg(test)]
mod tests;

/// What the reader hands to the resolver.
pub(crate) struct Parsed {
    pub(crate) version: Option<Arc<str>>,
    pub(crate) references: Vec<Reference>,
    pub(crate) schemas: Vec<Schema>,
    pub(crate) interner: Interner,
    pub(crate) warnings: WarningSink,
}

/// Reads a whole document.
pub(crate) fn read<R: BufRead>(
    mut input: R,
    size_hint: u64,
    options: &ReadOptions,
) -> Result<Parsed, RawError> {
    // quick-xml skips a UTF-8 byte-order mark without counting it in its positions; add it
    // back so offsets index the original bytes.
    let bom = match input.fill_buf() {
        Ok(head) if head.starts_with(b"\xEF\xBB\xBF") => 3,
        Ok(_) => 0,
        Err(e) => return Err(RawError::new(0, String::new(), ErrorKind::Io(e))),
    };
    let mut xml = quick_xml::Reader::from_reader(input);
    let config = xml.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut reader = XmlReader {
        xml,
        buf: Vec::with_capacity(1024),
        tag: String::with_capacity(256),
        name_len: 0,
        text: String::new(),
        interner: Interner::with_capacity(
            usize::try_from(size_hint / 16_384)
                .unwrap_or(0)
                .clamp(256, 65_536),
        ),
        path: Vec::new(),
        bom,
        annotation_scratch: Vec::new(),
        property_scratch: Vec::new(),
        strict: options.is_strict(),
        depth: 0,
        max_depth: options.depth_limit(),
        warnings: WarningSink::default(),
    };
    let mut parsed = Parsed {
        version: None,
        references: Vec::new(),
        schemas: Vec::new(),
        interner: Interner::default(),
        warnings: WarningSink::default(),
    };
    reader.read_root(&mut parsed)?;
    parsed.interner = reader.interner;
    parsed.warnings = reader.warnings;
    Ok(parsed)
}

/// The elements the reader recognises, by local name (namespace prefixes are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Edmx,
    DataServices,
    Reference,
    Include,
    IncludeAnnotations,
    Schema,
    EntityType,
    ComplexType,
    EnumType,
    Member,
    TypeDefinition,
    Term,
    Action,
    Function,
    Parameter,
    ReturnType,
    Key,
    PropertyRef,
    Property,
    NavigationProperty,
    ReferentialConstraint,
    OnDelete,
    EntityContainer,
    EntitySet,
    Singleton,
    NavigationPropertyBinding,
    ActionImport,
    FunctionImport,
    Annotation,
    Annotations,
    Other,
}

impl Tag {
    fn from_local_name(name: &str) -> Tag {
        match name {
            "Property" => Tag::Property,
            "Annotation" => Tag::Annotation,
            "PropertyRef" => Tag::PropertyRef,
            "Member" => Tag::Member,
            "EntityType" => Tag::EntityType,
            "Key" => Tag::Key,
            "NavigationProperty" => Tag::NavigationProperty,
            "NavigationPropertyBinding" => Tag::NavigationPropertyBinding,
            "EntitySet" => Tag::EntitySet,
            "EnumType" => Tag::EnumType,
            "ReferentialConstraint" => Tag::ReferentialConstraint,
            "Parameter" => Tag::Parameter,
            "ReturnType" => Tag::ReturnType,
            "Action" => Tag::Action,
            "Function" => Tag::Function,
            "ComplexType" => Tag::ComplexType,
            "TypeDefinition" => Tag::TypeDefinition,
            "Term" => Tag::Term,
            "OnDelete" => Tag::OnDelete,
            "Singleton" => Tag::Singleton,
            "ActionImport" => Tag::ActionImport,
            "FunctionImport" => Tag::FunctionImport,
            "EntityContainer" => Tag::EntityContainer,
            "Annotations" => Tag::Annotations,
            "Schema" => Tag::Schema,
            "Reference" => Tag::Reference,
            "Include" => Tag::Include,
            "IncludeAnnotations" => Tag::IncludeAnnotations,
            "DataServices" => Tag::DataServices,
            "Edmx" => Tag::Edmx,
            _ => Tag::Other,
        }
    }
}

struct XmlReader<R: BufRead> {
    xml: quick_xml::Reader<R>,
    buf: Vec<u8>,
    /// The current start tag's content (name and attributes).
    tag: String,
    name_len: usize,
    /// Text seen since the last start tag.
    text: String,
    interner: Interner,
    /// Element path of the enclosing elements, for error messages.
    path: Vec<(&'static str, Option<Arc<str>>)>,
    /// Length of a byte-order mark quick-xml skipped (its positions do not include it).
    bom: u64,
    /// Stacks that collect children before they move into an exactly-sized `Vec` (avoids
    /// growing hundreds of thousands of small vectors one push at a time).
    annotation_scratch: Vec<Annotation>,
    property_scratch: Vec<Property>,
    /// Reject what Microsoft's readers accept but the specification does not.
    strict: bool,
    /// Open elements right now.
    depth: u32,
    /// The nesting limit ([`ReadOptions::depth_limit`]).
    max_depth: u32,
    /// Leniencies so far.
    warnings: WarningSink,
}

/// What attribute callbacks get: the interner, whether reading is strict, and a place for
/// leniency notes (turned into warnings at the element's position).
struct Cx<'a> {
    interner: &'a mut Interner,
    strict: bool,
    notes: &'a mut Vec<WarningKind>,
}

impl std::ops::Deref for Cx<'_> {
    type Target = Interner;

    fn deref(&self) -> &Interner {
        self.interner
    }
}

impl std::ops::DerefMut for Cx<'_> {
    fn deref_mut(&mut self) -> &mut Interner {
        self.interner
    }
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn invalid(attribute: &str, value: &str, expected: &'static str) -> ErrorKind {
    ErrorKind::InvalidAttribute {
        attribute: attribute.to_owned(),
        value: value.to_owned(),
        expected,
    }
}

fn parse_bool(attribute: &str, value: &str) -> Result<bool, ErrorKind> {
    match value.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(attribute, value, "`true` or `false`")),
    }
}

fn parse_u32(attribute: &str, value: &str) -> Result<u32, ErrorKind> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(attribute, value, "a non-negative integer"))
}

/// Matches a facet keyword (`variable`, `floating`, `max`). The specification spells them in
/// lower case; Microsoft's readers accept any case (and its writers emit `Variable`), so a
/// different case is accepted with a note, or rejected in strict mode.
fn keyword(
    cx: &mut Cx<'_>,
    key: &str,
    value: &str,
    word: &'static str,
    expected: &'static str,
) -> Result<bool, ErrorKind> {
    let trimmed = value.trim();
    if trimmed == word && trimmed.len() == value.len() {
        return Ok(true);
    }
    if !trimmed.eq_ignore_ascii_case(word) {
        return Ok(false);
    }
    if cx.strict {
        return Err(invalid(key, value, expected));
    }
    cx.notes.push(WarningKind::FacetSpelling {
        attribute: key.to_owned(),
        value: value.to_owned(),
        read_as: word,
    });
    Ok(true)
}

/// Reads the facet attributes shared by properties, parameters, return types, terms and type
/// definitions. Returns `Ok(false)` when `key` is not a facet.
fn facet(cx: &mut Cx<'_>, facets: &mut Facets, key: &str, value: &str) -> Result<bool, ErrorKind> {
    match key {
        "MaxLength" => {
            const EXPECTED: &str = "a non-negative integer or `max`";
            facets.max_length = Some(if keyword(cx, key, value, "max", EXPECTED)? {
                MaxLength::Max
            } else {
                MaxLength::Length(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| invalid(key, value, EXPECTED))?,
                )
            });
        }
        "Precision" => facets.precision = Some(parse_u32(key, value)?),
        "Scale" => {
            const EXPECTED: &str = "digits, `variable` or `floating`";
            facets.scale = Some(if keyword(cx, key, value, "variable", EXPECTED)? {
                Scale::Variable
            } else if keyword(cx, key, value, "floating", EXPECTED)? {
                Scale::Floating
            } else {
                Scale::Digits(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| invalid(key, value, EXPECTED))?,
                )
            });
        }
        "SRID" => {
            const EXPECTED: &str = "an integer or `variable`";
            facets.srid = Some(if keyword(cx, key, value, "variable", EXPECTED)? {
                Srid::Variable
            } else {
                Srid::Id(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| invalid(key, value, EXPECTED))?,
                )
            });
        }
        "Unicode" => facets.unicode = Some(parse_bool(key, value)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// The attributes of an element that has a type (`Property`, `Parameter`, `ReturnType`,
/// `Term`): `Type`, `Nullable` and the facets.
struct Typed {
    ty: Option<TypeRef>,
    /// `true` unless the element says otherwise.
    nullable: bool,
    facets: Facets,
}

impl Typed {
    fn new() -> Typed {
        Typed {
            ty: None,
            nullable: true,
            facets: Facets::default(),
        }
    }

    /// Takes the attribute `key` when it is one of these. Returns `Ok(false)` when it is not.
    fn attribute(&mut self, cx: &mut Cx<'_>, key: &str, value: &str) -> Result<bool, ErrorKind> {
        match key {
            "Type" => self.ty = Some(type_ref(cx, value)),
            "Nullable" => self.nullable = parse_bool(key, value)?,
            _ => return facet(cx, &mut self.facets, key, value),
        }
        Ok(true)
    }
}

/// Interns a type reference, unwrapping `Collection(...)`.
fn type_ref(interner: &mut Interner, written: &str) -> TypeRef {
    let written = written.trim();
    match written
        .strip_prefix("Collection(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        Some(inner) => TypeRef {
            name: interner.intern(inner.trim()),
            collection: true,
        },
        None => TypeRef {
            name: interner.intern(written),
            collection: false,
        },
    }
}

fn qualify(namespace: &str, name: &str) -> Arc<str> {
    let mut q = String::with_capacity(namespace.len() + 1 + name.len());
    q.push_str(namespace);
    q.push('.');
    q.push_str(name);
    Arc::from(q)
}

impl<R: BufRead> XmlReader<R> {
    /// Calls `f(interner, local attribute name, unescaped value)` for each attribute of the
    /// current tag.
    fn attributes<F>(&mut self, offset: u64, leaf: &'static str, mut f: F) -> Result<(), RawError>
    where
        F: FnMut(&mut Cx<'_>, &str, &str) -> Result<(), ErrorKind>,
    {
        let XmlReader {
            tag,
            name_len,
            interner,
            path,
            strict,
            warnings,
            ..
        } = self;
        let leaf_path = |path: &[(&'static str, Option<Arc<str>>)]| {
            let mut p = render_path(path);
            push_segment(&mut p, leaf, None);
            p
        };
        let fail = |kind| RawError::new(offset, leaf_path(path), kind);
        let mut notes = Vec::new();
        let mut cx = Cx {
            interner,
            strict: *strict,
            notes: &mut notes,
        };
        let mut attributes = Attributes::new(tag, *name_len);
        // Duplicate-attribute checking allocates a list per element; CSDL readers elsewhere
        // accept the last value, and so does this one.
        attributes.with_checks(false);
        for attr in attributes {
            let attr = attr.map_err(|e| fail(ErrorKind::Xml(e.to_string())))?;
            let value: Cow<'_, str> = if attr
                .value
                .bytes()
                .any(|b| matches!(b, b'&' | b'\r' | b'\t' | b'\n'))
            {
                attr.normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| fail(ErrorKind::Xml(e.to_string())))?
            } else {
                attr.value
            };
            let key = local(attr.key.as_ref());
            f(&mut cx, key, &value).map_err(fail)?;
        }
        if !notes.is_empty() {
            // Name the element in the path when it has a name (`Property[Location]`).
            let name = Attributes::new(tag, *name_len)
                .with_checks(false)
                .flatten()
                .find(|a| local(a.key.as_ref()) == "Name")
                .map(|a| a.value.into_owned());
            let mut p = render_path(path);
            push_segment(&mut p, leaf, name.as_deref());
            for note in notes {
                warnings.push(offset, p.clone(), note);
            }
        }
        Ok(())
    }

    fn path_string(&self, leaf: Option<(&'static str, Option<&str>)>) -> String {
        let mut p = render_path(&self.path);
        if let Some((element, name)) = leaf {
            push_segment(&mut p, element, name);
        }
        p
    }

    fn error(&self, offset: u64, leaf: (&'static str, Option<&str>), kind: ErrorKind) -> RawError {
        RawError::new(offset, self.path_string(Some(leaf)), kind)
    }

    fn missing(
        &self,
        offset: u64,
        element: &'static str,
        name: Option<&str>,
        attribute: &'static str,
    ) -> RawError {
        self.error(
            offset,
            (element, name),
            ErrorKind::MissingAttribute { element, attribute },
        )
    }
}

fn render_path(path: &[(&'static str, Option<Arc<str>>)]) -> String {
    let mut out = String::new();
    for (element, name) in path {
        push_segment(&mut out, element, name.as_deref());
    }
    out
}

fn push_segment(out: &mut String, element: &str, name: Option<&str>) {
    if !out.is_empty() {
        out.push('/');
    }
    out.push_str(element);
    if let Some(name) = name {
        out.push('[');
        out.push_str(name);
        out.push(']');
    }
}
