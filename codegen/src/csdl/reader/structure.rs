//! The document structure: the root, `edmx:Edmx`, `edmx:Reference` and `Schema`.

use super::events::Step;
#[allow(
    clippy::wildcard_imports,
    reason = "the reader's parts share its imports and helpers"
)]
use super::*;

impl<R: BufRead> XmlReader<R> {
    pub(super) fn read_root(&mut self, parsed: &mut Parsed) -> Result<(), RawError> {
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

    pub(super) fn read_edmx(
        &mut self,
        parsed: &mut Parsed,
        empty: bool,
        offset: u64,
    ) -> Result<(), RawError> {
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
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Reference => parsed.references.push(self.read_reference(empty, offset)?),
                Tag::DataServices => {
                    let mut schemas = self.children(empty, offset);
                    while let Some((tag, empty, offset)) = schemas.next(self)? {
                        if tag == Tag::Schema {
                            self.check_schema_namespace(offset)?;
                            parsed.schemas.push(self.read_schema(empty, offset)?);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Rejects a `<Schema>` in one of the CSDL 1.0–3.0 XML namespaces (OData v2/v3), which an
    /// EDMX wrapper without `Version` or a bare `Schema` root would otherwise let through.
    pub(super) fn check_schema_namespace(&mut self, offset: u64) -> Result<(), RawError> {
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

    pub(super) fn read_reference(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<Reference, RawError> {
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
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Include => {
                    let include = self.read_include(offset)?;
                    reference.includes.push(include);
                }
                Tag::IncludeAnnotations => {
                    let include = self.read_include_annotations(offset)?;
                    reference.include_annotations.push(include);
                }
                Tag::Annotation => {
                    reference
                        .annotations
                        .push(self.read_annotation(empty, offset)?);
                }
                _ => {}
            }
        }
        Ok(reference)
    }

    /// Reads an `edmx:Include`'s attributes (the walk over its parent skips the rest).
    fn read_include(&mut self, offset: u64) -> Result<Include, RawError> {
        let (namespace, alias) = self.namespace_and_alias("Include", offset)?;
        Ok(Include { namespace, alias })
    }

    /// Reads the `Namespace` (required) and `Alias` attributes of an `edmx:Include` or a
    /// `Schema`.
    fn namespace_and_alias(
        &mut self,
        element: &'static str,
        offset: u64,
    ) -> Result<(Arc<str>, Option<Arc<str>>), RawError> {
        let (mut namespace, mut alias) = (None, None);
        self.attributes(offset, element, |interner, key, value| {
            match key {
                "Namespace" => namespace = Some(interner.intern(value)),
                "Alias" => alias = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let namespace =
            namespace.ok_or_else(|| self.missing(offset, element, None, "Namespace"))?;
        Ok((namespace, alias))
    }

    /// Reads an `edmx:IncludeAnnotations`' attributes (the walk over its parent skips the
    /// rest).
    fn read_include_annotations(&mut self, offset: u64) -> Result<IncludeAnnotations, RawError> {
        let (mut term_namespace, mut qualifier, mut target_namespace) = (None, None, None);
        self.attributes(offset, "IncludeAnnotations", |interner, key, value| {
            match key {
                "TermNamespace" => term_namespace = Some(interner.intern(value)),
                "Qualifier" => qualifier = Some(interner.intern(value)),
                "TargetNamespace" => target_namespace = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let term_namespace = term_namespace
            .ok_or_else(|| self.missing(offset, "IncludeAnnotations", None, "TermNamespace"))?;
        Ok(IncludeAnnotations {
            term_namespace,
            qualifier,
            target_namespace,
        })
    }

    pub(super) fn read_schema(&mut self, empty: bool, offset: u64) -> Result<Schema, RawError> {
        let (namespace, alias) = self.namespace_and_alias("Schema", offset)?;
        let mut schema = Schema::new(namespace.clone(), alias, offset);
        self.path.push(("Schema", Some(namespace.clone())));
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
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
                        let kind = ErrorKind::Duplicate {
                            what: "entity container in schema",
                            name: c.name.to_string(),
                        };
                        return Err(self.error(offset, ("EntityContainer", Some(&c.name)), kind));
                    }
                    schema.entity_container = Some(c);
                }
                Tag::Annotations => {
                    let block = self.read_annotation_block(empty, offset)?;
                    schema.annotation_blocks.push(block);
                }
                Tag::Annotation => schema
                    .annotations
                    .push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        self.path.pop();
        Ok(schema)
    }
}
