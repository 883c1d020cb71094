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
use quick_xml::events::Event;
use quick_xml::events::attributes::Attributes;

use super::annotation::{
    Annotation, AnnotationBlock, AnnotationValue, ConstantKind, Expression, PathKind,
    PropertyValue, Record,
};
use super::container::{
    EntityContainer, EntitySet, NavigationPropertyBinding, OperationImport, Singleton,
};
use super::document::{Include, IncludeAnnotations, Reference, Schema};
use super::error::{ErrorKind, RawError};
use super::intern::Interner;
use super::operations::{Operation, OperationKind, Parameter, ReturnType};
use super::options::ReadOptions;
use super::types::{
    ComplexType, EntityType, EnumMember, EnumType, Facets, Key, MaxLength, NavigationProperty,
    OnDeleteAction, Property, PropertyRef, ReferentialConstraint, Scale, Srid, Term,
    TypeDefinition, TypeRef,
};
use super::warning::{WarningKind, WarningSink, is_bidi_control};

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

/// One step of the event stream, detached from quick-xml's buffer.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A start (or empty) tag; its content is in `XmlReader::tag`.
    Start { tag: Tag, empty: bool, offset: u64 },
    /// An end tag.
    End,
    /// End of input.
    Eof,
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
    // ----- event plumbing -------------------------------------------------------------------

    fn next(&mut self) -> Result<Step, RawError> {
        loop {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(e) => {
                    let offset = self.xml.error_position() + self.bom;
                    return Err(RawError::new(
                        offset,
                        self.path_string(None),
                        ErrorKind::Xml(e.to_string()),
                    ));
                }
            };
            match event {
                Event::Start(start) => {
                    let content: &str = &start;
                    let end = self.xml.buffer_position() + self.bom;
                    let offset = end.saturating_sub(content.len() as u64 + 2);
                    // Every recursive reader goes one call deeper per element, so bounding the
                    // nesting here bounds the stack of all of them (and of whatever walks the
                    // model afterwards).
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        let limit = self.max_depth;
                        return Err(RawError::new(
                            offset,
                            self.path_string(None),
                            ErrorKind::TooDeep { limit },
                        ));
                    }
                    self.name_len = start.name().as_ref().len();
                    self.tag.clear();
                    self.tag.push_str(content);
                    self.text.clear();
                    let tag = Tag::from_local_name(local(&self.tag[..self.name_len]));
                    return Ok(Step::Start {
                        tag,
                        empty: false,
                        offset,
                    });
                }
                Event::Empty(start) => {
                    let content: &str = &start;
                    let end = self.xml.buffer_position() + self.bom;
                    let offset = end.saturating_sub(content.len() as u64 + 3);
                    self.name_len = start.name().as_ref().len();
                    self.tag.clear();
                    self.tag.push_str(content);
                    self.text.clear();
                    let tag = Tag::from_local_name(local(&self.tag[..self.name_len]));
                    return Ok(Step::Start {
                        tag,
                        empty: true,
                        offset,
                    });
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Step::End);
                }
                Event::Eof => return Ok(Step::Eof),
                Event::Text(text) => self.text.push_str(&text),
                Event::CData(data) => self.text.push_str(&data),
                Event::GeneralRef(reference) => {
                    let offset = self.xml.buffer_position() + self.bom;
                    let resolved = if reference.is_char_ref() {
                        reference.resolve_char_ref().ok().flatten()
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&reference)
                            .and_then(|s| s.chars().next())
                    };
                    match resolved {
                        Some(c) => self.text.push(c),
                        None => {
                            let message = format!("unknown entity reference `&{};`", &*reference);
                            return Err(RawError::new(
                                offset,
                                render_path(&self.path),
                                ErrorKind::Xml(message),
                            ));
                        }
                    }
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Skips the children of the current element (when it is not empty).
    fn skip(&mut self, empty: bool, offset: u64) -> Result<(), RawError> {
        if empty {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Step::Start { empty: false, .. } => depth += 1,
                Step::Start { empty: true, .. } => {}
                Step::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn unexpected_eof(&self, offset: u64) -> RawError {
        RawError::new(
            offset,
            self.path_string(None),
            ErrorKind::Xml("unexpected end of document: an element is not closed".to_owned()),
        )
    }

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

    // ----- document structure ---------------------------------------------------------------

    fn read_root(&mut self, parsed: &mut Parsed) -> Result<(), RawError> {
        match self.next()? {
            Step::Start {
                tag: Tag::Edmx,
                empty,
                offset,
            } => self.read_edmx(parsed, empty, offset),
            Step::Start {
                tag: Tag::Schema,
                empty,
                offset,
            } => {
                self.check_schema_namespace(offset)?;
                let schema = self.read_schema(empty, offset)?;
                parsed.schemas.push(schema);
                Ok(())
            }
            Step::Start { offset, .. } => Err(RawError::new(
                offset,
                String::new(),
                ErrorKind::WrongRoot {
                    found: self.tag[..self.name_len].to_owned(),
                },
            )),
            Step::End | Step::Eof => Err(RawError::new(
                self.xml.buffer_position() + self.bom,
                String::new(),
                ErrorKind::WrongRoot {
                    found: "no element".to_owned(),
                },
            )),
        }
    }

    fn read_edmx(&mut self, parsed: &mut Parsed, empty: bool, offset: u64) -> Result<(), RawError> {
        let mut version = None;
        self.attributes(offset, "Edmx", |interner, key, value| {
            if key == "Version" {
                version = Some(interner.intern(value.trim()));
            }
            Ok(())
        })?;
        if let Some(v) = &version
            && !matches!(&**v, "4.0" | "4.01")
        {
            return Err(RawError::new(
                offset,
                String::new(),
                ErrorKind::UnsupportedVersion {
                    version: v.to_string(),
                },
            ));
        }
        parsed.version = version;
        if empty {
            return Ok(());
        }
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Reference,
                    empty,
                    offset,
                } => {
                    let reference = self.read_reference(empty, offset)?;
                    parsed.references.push(reference);
                }
                Step::Start {
                    tag: Tag::DataServices,
                    empty,
                    offset,
                } => {
                    if empty {
                        continue;
                    }
                    loop {
                        match self.next()? {
                            Step::Start {
                                tag: Tag::Schema,
                                empty,
                                offset,
                            } => {
                                self.check_schema_namespace(offset)?;
                                let schema = self.read_schema(empty, offset)?;
                                parsed.schemas.push(schema);
                            }
                            Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                            Step::End => break,
                            Step::Eof => return Err(self.unexpected_eof(offset)),
                        }
                    }
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => return Ok(()),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    /// Rejects a `<Schema>` in one of the CSDL 1.0–3.0 XML namespaces (OData v2/v3), which an
    /// EDMX wrapper without `Version` or a bare `Schema` root would otherwise let through.
    fn check_schema_namespace(&mut self, offset: u64) -> Result<(), RawError> {
        let mut old = None;
        self.attributes(offset, "Schema", |_, key, value| {
            if key == "xmlns" && value.contains("schemas.microsoft.com/ado/") {
                old = Some(value.to_owned());
            }
            Ok(())
        })?;
        match old {
            Some(namespace) => Err(RawError::new(
                offset,
                String::new(),
                ErrorKind::UnsupportedVersion { version: namespace },
            )),
            None => Ok(()),
        }
    }

    fn read_reference(&mut self, empty: bool, offset: u64) -> Result<Reference, RawError> {
        let mut uri = None;
        self.attributes(offset, "Reference", |interner, key, value| {
            if key == "Uri" {
                uri = Some(interner.intern(value));
            }
            Ok(())
        })?;
        let mut reference = Reference {
            uri: uri.ok_or_else(|| self.missing(offset, "Reference", None, "Uri"))?,
            includes: Vec::new(),
            include_annotations: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(reference);
        }
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Include,
                    empty,
                    offset,
                } => {
                    let (mut namespace, mut alias) = (None, None);
                    self.attributes(offset, "Include", |interner, key, value| {
                        match key {
                            "Namespace" => namespace = Some(interner.intern(value)),
                            "Alias" => alias = Some(interner.intern(value)),
                            _ => {}
                        }
                        Ok(())
                    })?;
                    let namespace = namespace
                        .ok_or_else(|| self.missing(offset, "Include", None, "Namespace"))?;
                    reference.includes.push(Include { namespace, alias });
                    self.skip(empty, offset)?;
                }
                Step::Start {
                    tag: Tag::IncludeAnnotations,
                    empty,
                    offset,
                } => {
                    let (mut term_namespace, mut qualifier, mut target_namespace) =
                        (None, None, None);
                    self.attributes(offset, "IncludeAnnotations", |interner, key, value| {
                        match key {
                            "TermNamespace" => term_namespace = Some(interner.intern(value)),
                            "Qualifier" => qualifier = Some(interner.intern(value)),
                            "TargetNamespace" => target_namespace = Some(interner.intern(value)),
                            _ => {}
                        }
                        Ok(())
                    })?;
                    let term_namespace = term_namespace.ok_or_else(|| {
                        self.missing(offset, "IncludeAnnotations", None, "TermNamespace")
                    })?;
                    reference.include_annotations.push(IncludeAnnotations {
                        term_namespace,
                        qualifier,
                        target_namespace,
                    });
                    self.skip(empty, offset)?;
                }
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => {
                    let annotation = self.read_annotation(empty, offset)?;
                    reference.annotations.push(annotation);
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => return Ok(reference),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_schema(&mut self, empty: bool, offset: u64) -> Result<Schema, RawError> {
        let (mut namespace, mut alias) = (None, None);
        self.attributes(offset, "Schema", |interner, key, value| {
            match key {
                "Namespace" => namespace = Some(interner.intern(value)),
                "Alias" => alias = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let namespace =
            namespace.ok_or_else(|| self.missing(offset, "Schema", None, "Namespace"))?;
        let mut schema = Schema::new(namespace.clone(), alias, offset);
        if empty {
            return Ok(schema);
        }
        self.path.push(("Schema", Some(namespace.clone())));
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::EntityType => {
                        let t = self.read_entity_type(&namespace, empty, offset)?;
                        schema.entity_types.push(t);
                    }
                    Tag::ComplexType => {
                        let t = self.read_complex_type(&namespace, empty, offset)?;
                        schema.complex_types.push(t);
                    }
                    Tag::EnumType => {
                        let t = self.read_enum_type(&namespace, empty, offset)?;
                        schema.enum_types.push(t);
                    }
                    Tag::TypeDefinition => {
                        let t = self.read_type_definition(&namespace, empty, offset)?;
                        schema.type_definitions.push(t);
                    }
                    Tag::Term => {
                        let t = self.read_term(&namespace, empty, offset)?;
                        schema.terms.push(t);
                    }
                    Tag::Action | Tag::Function => {
                        let kind = if tag == Tag::Action {
                            OperationKind::Action
                        } else {
                            OperationKind::Function
                        };
                        let op = self.read_operation(&namespace, kind, empty, offset)?;
                        schema.operations.push(op);
                    }
                    Tag::EntityContainer => {
                        let c = self.read_container(&namespace, empty, offset)?;
                        if schema.entity_container.is_some() {
                            return Err(self.error(
                                offset,
                                ("EntityContainer", Some(&c.name)),
                                ErrorKind::Duplicate {
                                    what: "entity container in schema",
                                    name: c.name.to_string(),
                                },
                            ));
                        }
                        schema.entity_container = Some(c);
                    }
                    Tag::Annotations => {
                        let block = self.read_annotation_block(empty, offset)?;
                        schema.annotation_blocks.push(block);
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        schema.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => break,
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(schema)
    }

    // ----- types ----------------------------------------------------------------------------

    fn read_entity_type(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<EntityType, RawError> {
        let (mut name, mut base_type) = (None, None);
        let (mut is_abstract, mut open_type, mut has_stream) = (false, false, false);
        self.attributes(offset, "EntityType", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "BaseType" => base_type = Some(interner.intern(value.trim())),
                "Abstract" => is_abstract = parse_bool(key, value)?,
                "OpenType" => open_type = parse_bool(key, value)?,
                "HasStream" => has_stream = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "EntityType", None, "Name"))?;
        let mut entity = EntityType {
            qualified_name: qualify(namespace, &name),
            name: name.clone(),
            base_type,
            is_abstract,
            open_type,
            has_stream,
            key: None,
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(entity);
        }
        self.path.push(("EntityType", Some(name)));
        let mark = self.property_scratch.len();
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::Property => {
                        let property = self.read_property(empty, offset)?;
                        self.property_scratch.push(property);
                    }
                    Tag::Key => {
                        let key = self.read_key(empty, offset)?;
                        if entity.key.is_some() {
                            return Err(self.error(
                                offset,
                                ("Key", None),
                                ErrorKind::Duplicate {
                                    what: "key",
                                    name: entity.name.to_string(),
                                },
                            ));
                        }
                        entity.key = Some(key);
                    }
                    Tag::NavigationProperty => {
                        let nav = self.read_navigation_property(empty, offset)?;
                        entity.navigation_properties.push(nav);
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        entity.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => {
                    entity
                        .properties
                        .extend(self.property_scratch.drain(mark..));
                    break;
                }
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(entity)
    }

    fn read_key(&mut self, empty: bool, offset: u64) -> Result<Key, RawError> {
        let mut key = Key {
            properties: Vec::new(),
            offset,
        };
        if empty {
            return Ok(key);
        }
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::PropertyRef,
                    empty,
                    offset: ref_offset,
                } => {
                    let (mut name, mut alias) = (None, None);
                    self.attributes(ref_offset, "PropertyRef", |interner, key, value| {
                        match key {
                            "Name" => name = Some(Arc::from(value)),
                            "Alias" => alias = Some(interner.intern(value)),
                            _ => {}
                        }
                        Ok(())
                    })?;
                    let name = name.ok_or_else(|| {
                        let mut e = self.missing(ref_offset, "Key", None, "Name");
                        e.kind = ErrorKind::MissingAttribute {
                            element: "PropertyRef",
                            attribute: "Name",
                        };
                        e
                    })?;
                    key.properties.push(PropertyRef { name, alias });
                    self.skip(empty, ref_offset)?;
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => return Ok(key),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_property(&mut self, empty: bool, offset: u64) -> Result<Property, RawError> {
        let (mut name, mut ty, mut default_value) = (None, None, None);
        let mut nullable = true;
        let mut facets = Facets::default();
        self.attributes(offset, "Property", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Type" => ty = Some(type_ref(interner, value)),
                "Nullable" => nullable = parse_bool(key, value)?,
                "DefaultValue" => default_value = Some(Arc::from(value)),
                _ => {
                    facet(interner, &mut facets, key, value)?;
                }
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Property", None, "Name"))?;
        let ty = ty.ok_or_else(|| self.missing(offset, "Property", Some(&name), "Type"))?;
        let mut property = Property {
            name,
            ty,
            nullable,
            facets,
            default_value,
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_annotations_only(&mut property.annotations, offset)?;
        }
        Ok(property)
    }

    /// Reads children of an element that may only carry annotations; others are skipped.
    fn read_annotations_only(
        &mut self,
        annotations: &mut Vec<Annotation>,
        offset: u64,
    ) -> Result<(), RawError> {
        let mark = self.annotation_scratch.len();
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => {
                    let annotation = self.read_annotation(empty, offset)?;
                    self.annotation_scratch.push(annotation);
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => {
                    annotations.extend(self.annotation_scratch.drain(mark..));
                    return Ok(());
                }
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_navigation_property(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<NavigationProperty, RawError> {
        let (mut name, mut ty, mut partner) = (None, None, None);
        let (mut nullable, mut contains_target) = (true, false);
        self.attributes(offset, "NavigationProperty", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Type" => ty = Some(type_ref(interner, value)),
                "Nullable" => nullable = parse_bool(key, value)?,
                "Partner" => partner = Some(interner.intern(value)),
                "ContainsTarget" => contains_target = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "NavigationProperty", None, "Name"))?;
        let ty =
            ty.ok_or_else(|| self.missing(offset, "NavigationProperty", Some(&name), "Type"))?;
        let mut nav = NavigationProperty {
            name,
            ty,
            nullable,
            partner,
            contains_target,
            referential_constraints: Vec::new(),
            on_delete: None,
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(nav);
        }
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::ReferentialConstraint => {
                        let (mut property, mut referenced) = (None, None);
                        self.attributes(
                            offset,
                            "ReferentialConstraint",
                            |interner, key, value| {
                                match key {
                                    "Property" => property = Some(interner.intern(value)),
                                    "ReferencedProperty" => {
                                        referenced = Some(interner.intern(value))
                                    }
                                    _ => {}
                                }
                                Ok(())
                            },
                        )?;
                        let leaf = Some(&*nav.name);
                        let property = property.ok_or_else(|| {
                            self.missing(offset, "NavigationProperty", leaf, "Property")
                        })?;
                        let referenced_property = referenced.ok_or_else(|| {
                            self.missing(offset, "NavigationProperty", leaf, "ReferencedProperty")
                        })?;
                        nav.referential_constraints.push(ReferentialConstraint {
                            property,
                            referenced_property,
                        });
                        self.skip(empty, offset)?;
                    }
                    Tag::OnDelete => {
                        let mut action = None;
                        self.attributes(offset, "OnDelete", |_, key, value| {
                            if key == "Action" {
                                action = Some(match value {
                                    "Cascade" => OnDeleteAction::Cascade,
                                    "None" => OnDeleteAction::None,
                                    "SetNull" => OnDeleteAction::SetNull,
                                    "SetDefault" => OnDeleteAction::SetDefault,
                                    _ => {
                                        return Err(invalid(
                                            key,
                                            value,
                                            "Cascade, None, SetNull or SetDefault",
                                        ));
                                    }
                                });
                            }
                            Ok(())
                        })?;
                        nav.on_delete = action;
                        self.skip(empty, offset)?;
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        nav.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => return Ok(nav),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_complex_type(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<ComplexType, RawError> {
        let (mut name, mut base_type) = (None, None);
        let (mut is_abstract, mut open_type) = (false, false);
        self.attributes(offset, "ComplexType", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "BaseType" => base_type = Some(interner.intern(value.trim())),
                "Abstract" => is_abstract = parse_bool(key, value)?,
                "OpenType" => open_type = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "ComplexType", None, "Name"))?;
        let mut complex = ComplexType {
            qualified_name: qualify(namespace, &name),
            name: name.clone(),
            base_type,
            is_abstract,
            open_type,
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(complex);
        }
        self.path.push(("ComplexType", Some(name)));
        let mark = self.property_scratch.len();
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::Property => {
                        let property = self.read_property(empty, offset)?;
                        self.property_scratch.push(property);
                    }
                    Tag::NavigationProperty => {
                        let nav = self.read_navigation_property(empty, offset)?;
                        complex.navigation_properties.push(nav);
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        complex.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => {
                    complex
                        .properties
                        .extend(self.property_scratch.drain(mark..));
                    break;
                }
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(complex)
    }

    fn read_enum_type(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<EnumType, RawError> {
        let (mut name, mut underlying) = (None, None);
        let mut is_flags = false;
        self.attributes(offset, "EnumType", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "UnderlyingType" => underlying = Some(interner.intern(value.trim())),
                "IsFlags" => is_flags = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "EnumType", None, "Name"))?;
        let mut enum_type = EnumType {
            qualified_name: qualify(namespace, &name),
            name: name.clone(),
            underlying_type: underlying.unwrap_or_else(|| self.interner.intern("Edm.Int32")),
            is_flags,
            members: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(enum_type);
        }
        self.path.push(("EnumType", Some(name)));
        let mut next_value: i64 = 0;
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Member,
                    empty,
                    offset,
                } => {
                    let (mut member_name, mut value) = (None, None);
                    self.attributes(offset, "Member", |_, key, v| {
                        match key {
                            "Name" => member_name = Some(Arc::from(v)),
                            "Value" => {
                                value = Some(
                                    v.trim()
                                        .parse::<i64>()
                                        .map_err(|_| invalid(key, v, "an integer"))?,
                                );
                            }
                            _ => {}
                        }
                        Ok(())
                    })?;
                    let member_name =
                        member_name.ok_or_else(|| self.missing(offset, "Member", None, "Name"))?;
                    let value_explicit = value.is_some();
                    let value = value.unwrap_or(next_value);
                    next_value = value.wrapping_add(1);
                    let mut member = EnumMember {
                        name: member_name,
                        value,
                        value_explicit,
                        annotations: Vec::new(),
                    };
                    if !empty {
                        self.read_annotations_only(&mut member.annotations, offset)?;
                    }
                    enum_type.members.push(member);
                }
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => {
                    let a = self.read_annotation(empty, offset)?;
                    enum_type.annotations.push(a);
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => break,
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(enum_type)
    }

    fn read_type_definition(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<TypeDefinition, RawError> {
        let (mut name, mut underlying) = (None, None);
        let mut facets = Facets::default();
        self.attributes(offset, "TypeDefinition", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "UnderlyingType" => underlying = Some(interner.intern(value.trim())),
                _ => {
                    facet(interner, &mut facets, key, value)?;
                }
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "TypeDefinition", None, "Name"))?;
        let underlying_type = underlying
            .ok_or_else(|| self.missing(offset, "TypeDefinition", Some(&name), "UnderlyingType"))?;
        let mut definition = TypeDefinition {
            qualified_name: qualify(namespace, &name),
            name,
            underlying_type,
            facets,
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_annotations_only(&mut definition.annotations, offset)?;
        }
        Ok(definition)
    }

    fn read_term(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<Term, RawError> {
        let (mut name, mut ty, mut base_term, mut default_value) = (None, None, None, None);
        let mut nullable = true;
        let mut applies_to = Vec::new();
        let mut facets = Facets::default();
        self.attributes(offset, "Term", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Type" => ty = Some(type_ref(interner, value)),
                "BaseTerm" => base_term = Some(interner.intern(value.trim())),
                "Nullable" => nullable = parse_bool(key, value)?,
                "DefaultValue" => default_value = Some(Arc::from(value)),
                "AppliesTo" => {
                    applies_to = value
                        .split_whitespace()
                        .map(|s| interner.intern(s))
                        .collect();
                }
                _ => {
                    facet(interner, &mut facets, key, value)?;
                }
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Term", None, "Name"))?;
        let ty = ty.ok_or_else(|| self.missing(offset, "Term", Some(&name), "Type"))?;
        let mut term = Term {
            qualified_name: qualify(namespace, &name),
            name,
            ty,
            base_term,
            nullable,
            default_value,
            applies_to,
            facets,
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_annotations_only(&mut term.annotations, offset)?;
        }
        Ok(term)
    }

    // ----- operations -----------------------------------------------------------------------

    fn read_operation(
        &mut self,
        namespace: &Arc<str>,
        kind: OperationKind,
        empty: bool,
        offset: u64,
    ) -> Result<Operation, RawError> {
        let element = match kind {
            OperationKind::Action => "Action",
            OperationKind::Function => "Function",
        };
        let (mut name, mut entity_set_path) = (None, None);
        let (mut is_bound, mut is_composable) = (false, false);
        self.attributes(offset, element, |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "IsBound" => is_bound = parse_bool(key, value)?,
                "IsComposable" => is_composable = parse_bool(key, value)?,
                "EntitySetPath" => entity_set_path = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, element, None, "Name"))?;
        let mut operation = Operation {
            kind,
            qualified_name: qualify(namespace, &name),
            name: name.clone(),
            is_bound,
            is_composable,
            entity_set_path,
            parameters: Vec::new(),
            return_type: None,
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(operation);
        }
        self.path.push((element, Some(name)));
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::Parameter => {
                        let (mut pname, mut ty) = (None, None);
                        let mut nullable = true;
                        let mut facets = Facets::default();
                        self.attributes(offset, "Parameter", |interner, key, value| {
                            match key {
                                "Name" => pname = Some(Arc::from(value)),
                                "Type" => ty = Some(type_ref(interner, value)),
                                "Nullable" => nullable = parse_bool(key, value)?,
                                _ => {
                                    facet(interner, &mut facets, key, value)?;
                                }
                            }
                            Ok(())
                        })?;
                        let pname =
                            pname.ok_or_else(|| self.missing(offset, "Parameter", None, "Name"))?;
                        let ty = ty.ok_or_else(|| {
                            self.missing(offset, "Parameter", Some(&pname), "Type")
                        })?;
                        let mut parameter = Parameter {
                            name: pname,
                            ty,
                            nullable,
                            facets,
                            annotations: Vec::new(),
                        };
                        if !empty {
                            self.read_annotations_only(&mut parameter.annotations, offset)?;
                        }
                        operation.parameters.push(parameter);
                    }
                    Tag::ReturnType => {
                        let mut ty = None;
                        let mut nullable = true;
                        let mut facets = Facets::default();
                        self.attributes(offset, "ReturnType", |interner, key, value| {
                            match key {
                                "Type" => ty = Some(type_ref(interner, value)),
                                "Nullable" => nullable = parse_bool(key, value)?,
                                _ => {
                                    facet(interner, &mut facets, key, value)?;
                                }
                            }
                            Ok(())
                        })?;
                        let ty =
                            ty.ok_or_else(|| self.missing(offset, "ReturnType", None, "Type"))?;
                        let mut return_type = ReturnType {
                            ty,
                            nullable,
                            facets,
                            annotations: Vec::new(),
                        };
                        if !empty {
                            self.read_annotations_only(&mut return_type.annotations, offset)?;
                        }
                        operation.return_type = Some(return_type);
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        operation.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => break,
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(operation)
    }

    // ----- container ------------------------------------------------------------------------

    fn read_container(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<EntityContainer, RawError> {
        let (mut name, mut extends) = (None, None);
        self.attributes(offset, "EntityContainer", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Extends" => extends = Some(interner.intern(value.trim())),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "EntityContainer", None, "Name"))?;
        let mut container = EntityContainer {
            qualified_name: qualify(namespace, &name),
            name: name.clone(),
            extends,
            entity_sets: Vec::new(),
            singletons: Vec::new(),
            action_imports: Vec::new(),
            function_imports: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(container);
        }
        self.path.push(("EntityContainer", Some(name)));
        loop {
            match self.next()? {
                Step::Start { tag, empty, offset } => match tag {
                    Tag::EntitySet => {
                        let set = self.read_entity_set(empty, offset)?;
                        container.entity_sets.push(set);
                    }
                    Tag::Singleton => {
                        let singleton = self.read_singleton(empty, offset)?;
                        container.singletons.push(singleton);
                    }
                    Tag::ActionImport => {
                        let import = self.read_import("ActionImport", "Action", empty, offset)?;
                        container.action_imports.push(import);
                    }
                    Tag::FunctionImport => {
                        let import =
                            self.read_import("FunctionImport", "Function", empty, offset)?;
                        container.function_imports.push(import);
                    }
                    Tag::Annotation => {
                        let a = self.read_annotation(empty, offset)?;
                        container.annotations.push(a);
                    }
                    _ => self.skip(empty, offset)?,
                },
                Step::End => break,
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
        self.path.pop();
        Ok(container)
    }

    fn read_bindings_and_annotations(
        &mut self,
        bindings: &mut Vec<NavigationPropertyBinding>,
        annotations: &mut Vec<Annotation>,
        offset: u64,
    ) -> Result<(), RawError> {
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::NavigationPropertyBinding,
                    empty,
                    offset,
                } => {
                    let (mut path, mut target) = (None, None);
                    self.attributes(
                        offset,
                        "NavigationPropertyBinding",
                        |interner, key, value| {
                            match key {
                                "Path" => path = Some(interner.intern(value)),
                                "Target" => target = Some(interner.intern(value)),
                                _ => {}
                            }
                            Ok(())
                        },
                    )?;
                    let path = path.ok_or_else(|| {
                        self.missing(offset, "NavigationPropertyBinding", None, "Path")
                    })?;
                    let target = target.ok_or_else(|| {
                        self.missing(offset, "NavigationPropertyBinding", Some(&path), "Target")
                    })?;
                    bindings.push(NavigationPropertyBinding { path, target });
                    self.skip(empty, offset)?;
                }
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => annotations.push(self.read_annotation(empty, offset)?),
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => return Ok(()),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_entity_set(&mut self, empty: bool, offset: u64) -> Result<EntitySet, RawError> {
        let (mut name, mut entity_type) = (None, None);
        let mut include = true;
        self.attributes(offset, "EntitySet", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "EntityType" => entity_type = Some(interner.intern(value.trim())),
                "IncludeInServiceDocument" => include = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "EntitySet", None, "Name"))?;
        let entity_type = entity_type
            .ok_or_else(|| self.missing(offset, "EntitySet", Some(&name), "EntityType"))?;
        let mut set = EntitySet {
            name,
            entity_type,
            include_in_service_document: include,
            navigation_bindings: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_bindings_and_annotations(
                &mut set.navigation_bindings,
                &mut set.annotations,
                offset,
            )?;
        }
        Ok(set)
    }

    fn read_singleton(&mut self, empty: bool, offset: u64) -> Result<Singleton, RawError> {
        let (mut name, mut entity_type) = (None, None);
        let mut nullable = false;
        self.attributes(offset, "Singleton", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Type" => entity_type = Some(interner.intern(value.trim())),
                "Nullable" => nullable = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Singleton", None, "Name"))?;
        let entity_type =
            entity_type.ok_or_else(|| self.missing(offset, "Singleton", Some(&name), "Type"))?;
        let mut singleton = Singleton {
            name,
            entity_type,
            nullable,
            navigation_bindings: Vec::new(),
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_bindings_and_annotations(
                &mut singleton.navigation_bindings,
                &mut singleton.annotations,
                offset,
            )?;
        }
        Ok(singleton)
    }

    fn read_import(
        &mut self,
        element: &'static str,
        operation_attribute: &'static str,
        empty: bool,
        offset: u64,
    ) -> Result<OperationImport, RawError> {
        let (mut name, mut operation, mut entity_set) = (None, None, None);
        let mut include = false;
        self.attributes(offset, element, |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "EntitySet" => entity_set = Some(interner.intern(value.trim())),
                "IncludeInServiceDocument" => include = parse_bool(key, value)?,
                k if k == operation_attribute => operation = Some(interner.intern(value.trim())),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, element, None, "Name"))?;
        let operation = operation
            .ok_or_else(|| self.missing(offset, element, Some(&name), operation_attribute))?;
        let mut import = OperationImport {
            name,
            operation,
            entity_set,
            include_in_service_document: include,
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.read_annotations_only(&mut import.annotations, offset)?;
        }
        Ok(import)
    }

    // ----- annotations ----------------------------------------------------------------------

    fn read_annotation_block(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationBlock, RawError> {
        let (mut target, mut qualifier) = (None, None);
        self.attributes(offset, "Annotations", |interner, key, value| {
            match key {
                "Target" => target = Some(interner.intern(value.trim())),
                "Qualifier" => qualifier = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let target = target.ok_or_else(|| self.missing(offset, "Annotations", None, "Target"))?;
        let mut block = AnnotationBlock {
            target: target.clone(),
            qualifier,
            annotations: Vec::new(),
            offset,
        };
        if !empty {
            self.path.push(("Annotations", Some(target)));
            self.read_annotations_only(&mut block.annotations, offset)?;
            self.path.pop();
        }
        Ok(block)
    }

    fn read_annotation(&mut self, empty: bool, offset: u64) -> Result<Annotation, RawError> {
        let (mut term, mut qualifier) = (None, None);
        let mut value = AnnotationValue::Default;
        self.attributes(offset, "Annotation", |interner, key, v| {
            match key {
                "Term" => term = Some(interner.intern(v.trim())),
                "Qualifier" => qualifier = Some(interner.intern(v)),
                _ => {
                    if let Some(constant) = constant_attribute(interner, key, v)? {
                        value = constant;
                    }
                }
            }
            Ok(())
        })?;
        let term = term.ok_or_else(|| self.missing(offset, "Annotation", None, "Term"))?;
        let mut annotation = Annotation {
            term,
            qualifier,
            value,
            annotations: Vec::new(),
            offset,
        };
        if empty {
            return Ok(annotation);
        }
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => {
                    let nested = self.read_annotation(empty, offset)?;
                    annotation.annotations.push(nested);
                }
                Step::Start { empty, offset, .. } => {
                    let value = self.read_expression(empty, offset)?;
                    annotation.value = value;
                }
                Step::End => return Ok(annotation),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    /// Reads the expression element whose start tag is current.
    /// Reads the expression element whose start tag is current. Kept small: nested
    /// collections recurse through here, so its stack frame times the nesting limit is the
    /// stack a deep document needs.
    fn read_expression(&mut self, empty: bool, offset: u64) -> Result<AnnotationValue, RawError> {
        let expression = ExprKind::of(&mut self.interner, local(&self.tag[..self.name_len]));
        match expression {
            ExprKind::Collection => self.read_collection(empty, offset),
            ExprKind::Record => self.read_record(empty, offset),
            ExprKind::Null => {
                self.skip(empty, offset)?;
                Ok(AnnotationValue::Null)
            }
            ExprKind::Constant(kind) => self.read_constant(kind, empty, offset),
            ExprKind::Other(name) => self.read_other_expression(name, empty, offset),
        }
    }

    fn read_collection(&mut self, empty: bool, offset: u64) -> Result<AnnotationValue, RawError> {
        let mut items = Vec::new();
        if !empty {
            loop {
                match self.next()? {
                    Step::Start {
                        tag: Tag::Annotation,
                        empty,
                        offset,
                    } => {
                        // Annotations inside a collection are not valid items; keep
                        // reading but drop them.
                        self.read_annotation(empty, offset)?;
                    }
                    Step::Start { empty, offset, .. } => {
                        items.push(self.read_expression(empty, offset)?);
                    }
                    Step::End => break,
                    Step::Eof => return Err(self.unexpected_eof(offset)),
                }
            }
        }
        Ok(AnnotationValue::Collection(items))
    }

    #[inline(never)]
    fn read_constant(
        &mut self,
        kind: ConstKey,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationValue, RawError> {
        if !empty {
            self.read_text_content(offset)?;
        }
        let text = if kind == ConstKey::String {
            std::mem::take(&mut self.text)
        } else {
            self.text.trim().to_owned()
        };
        self.text.clear();
        let mut notes = Vec::new();
        let value = kind
            .value(&mut self.interner, &mut notes, &text)
            .map_err(|kind| {
                RawError::new(offset, self.path_string(Some(("Annotation", None))), kind)
            })?;
        for note in notes {
            let path = self.path_string(Some(("Annotation", None)));
            self.warnings.push(offset, path, note);
        }
        Ok(value)
    }

    #[inline(never)]
    fn read_other_expression(
        &mut self,
        name: Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationValue, RawError> {
        let mut attributes = Vec::new();
        self.attributes(offset, "Annotation", |interner, key, value| {
            attributes.push((interner.intern(key), interner.intern(value)));
            Ok(())
        })?;
        let mut children = Vec::new();
        let mut text = String::new();
        if !empty {
            loop {
                match self.next()? {
                    Step::Start {
                        tag: Tag::Annotation,
                        empty,
                        offset,
                    } => {
                        self.read_annotation(empty, offset)?;
                    }
                    Step::Start { empty, offset, .. } => {
                        children.push(self.read_expression(empty, offset)?);
                    }
                    Step::End => {
                        text = std::mem::take(&mut self.text);
                        break;
                    }
                    Step::Eof => return Err(self.unexpected_eof(offset)),
                }
            }
        }
        let text = text.trim();
        Ok(AnnotationValue::Expression(Box::new(Expression {
            name,
            attributes,
            children,
            text: (!text.is_empty()).then(|| self.interner.intern(text)),
        })))
    }

    /// Reads until the end tag of a text-only element, leaving the text in `self.text`.
    fn read_text_content(&mut self, offset: u64) -> Result<(), RawError> {
        let mut collected = String::new();
        loop {
            match self.next()? {
                Step::Start { empty, offset, .. } => {
                    collected.push_str(&self.text);
                    self.skip(empty, offset)?;
                }
                Step::End => {
                    if !collected.is_empty() {
                        collected.push_str(&self.text);
                        self.text = collected;
                    }
                    return Ok(());
                }
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }

    fn read_record(&mut self, empty: bool, offset: u64) -> Result<AnnotationValue, RawError> {
        let mut record = Record::default();
        self.attributes(offset, "Record", |interner, key, value| {
            if key == "Type" {
                record.type_name = Some(interner.intern(value.trim()));
            }
            Ok(())
        })?;
        if empty {
            return Ok(AnnotationValue::Record(Box::new(record)));
        }
        loop {
            match self.next()? {
                Step::Start {
                    tag: Tag::Annotation,
                    empty,
                    offset,
                } => {
                    let a = self.read_annotation(empty, offset)?;
                    record.annotations.push(a);
                }
                Step::Start {
                    tag: Tag::Other,
                    empty,
                    offset,
                } if local(&self.tag[..self.name_len]) == "PropertyValue" => {
                    let mut property = None;
                    let mut value = AnnotationValue::Default;
                    self.attributes(offset, "PropertyValue", |interner, key, v| {
                        match key {
                            "Property" => property = Some(interner.intern(v)),
                            _ => {
                                if let Some(constant) = constant_attribute(interner, key, v)? {
                                    value = constant;
                                }
                            }
                        }
                        Ok(())
                    })?;
                    let property = property
                        .ok_or_else(|| self.missing(offset, "PropertyValue", None, "Property"))?;
                    if !empty {
                        loop {
                            match self.next()? {
                                Step::Start {
                                    tag: Tag::Annotation,
                                    empty,
                                    offset,
                                } => {
                                    self.read_annotation(empty, offset)?;
                                }
                                Step::Start { empty, offset, .. } => {
                                    value = self.read_expression(empty, offset)?;
                                }
                                Step::End => break,
                                Step::Eof => return Err(self.unexpected_eof(offset)),
                            }
                        }
                    }
                    record.properties.push(PropertyValue { property, value });
                }
                Step::Start { empty, offset, .. } => self.skip(empty, offset)?,
                Step::End => return Ok(AnnotationValue::Record(Box::new(record))),
                Step::Eof => return Err(self.unexpected_eof(offset)),
            }
        }
    }
}

/// The expression elements, by how the reader treats them.
enum ExprKind {
    Collection,
    Record,
    Null,
    Constant(ConstKey),
    Other(Arc<str>),
}

impl ExprKind {
    fn of(interner: &mut Interner, name: &str) -> ExprKind {
        match name {
            "Collection" => ExprKind::Collection,
            "Record" => ExprKind::Record,
            "Null" => ExprKind::Null,
            other => match ConstKey::try_from_name(other) {
                Some(kind) => ExprKind::Constant(kind),
                None => ExprKind::Other(interner.intern(other)),
            },
        }
    }
}

/// The constant and path expressions, whether given as attribute or element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConstKey {
    String,
    Bool,
    Int,
    EnumMember,
    Constant(ConstantKind),
    Path(PathKind),
}

impl ConstKey {
    fn from_name(name: &str) -> ConstKey {
        match name {
            "String" => ConstKey::String,
            "Bool" => ConstKey::Bool,
            "Int" => ConstKey::Int,
            "EnumMember" => ConstKey::EnumMember,
            other => match ConstantKind::from_name(other) {
                Some(kind) => ConstKey::Constant(kind),
                None => ConstKey::Path(PathKind::from_name(other).unwrap_or(PathKind::Path)),
            },
        }
    }

    fn try_from_name(name: &str) -> Option<ConstKey> {
        match name {
            "String" | "Bool" | "Int" | "EnumMember" => Some(ConstKey::from_name(name)),
            other => ConstantKind::from_name(other)
                .map(ConstKey::Constant)
                .or_else(|| PathKind::from_name(other).map(ConstKey::Path)),
        }
    }

    fn value(
        self,
        interner: &mut Interner,
        notes: &mut Vec<WarningKind>,
        text: &str,
    ) -> Result<AnnotationValue, ErrorKind> {
        Ok(match self {
            ConstKey::String => {
                // Descriptions end up in generated doc comments, where rustc refuses
                // bidirectional control characters (and where they could disguise the text).
                let removed = text.chars().filter(|&c| is_bidi_control(c)).count();
                if removed == 0 {
                    AnnotationValue::String(Arc::from(text))
                } else {
                    notes.push(WarningKind::BidiControl { removed });
                    let clean: String = text.chars().filter(|&c| !is_bidi_control(c)).collect();
                    AnnotationValue::String(Arc::from(clean))
                }
            }
            ConstKey::Bool => AnnotationValue::Bool(match text.trim() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(ErrorKind::InvalidValue {
                        value: text.to_owned(),
                        expected: "Bool (`true` or `false`)",
                    });
                }
            }),
            ConstKey::Int => {
                AnnotationValue::Int(text.trim().parse().map_err(|_| ErrorKind::InvalidValue {
                    value: text.to_owned(),
                    expected: "Int",
                })?)
            }
            ConstKey::EnumMember => AnnotationValue::EnumMember(interner.intern(text.trim())),
            ConstKey::Constant(kind) => AnnotationValue::Constant {
                kind,
                text: interner.intern(text.trim()),
            },
            ConstKey::Path(kind) => AnnotationValue::Path {
                kind,
                path: Arc::from(text.trim()),
            },
        })
    }
}

/// A constant expression given in attribute form (`String="..."`, `Bool="true"`, ...).
fn constant_attribute(
    cx: &mut Cx<'_>,
    key: &str,
    value: &str,
) -> Result<Option<AnnotationValue>, ErrorKind> {
    match ConstKey::try_from_name(key) {
        Some(kind) => kind.value(cx.interner, cx.notes, value).map(Some),
        None => Ok(None),
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
