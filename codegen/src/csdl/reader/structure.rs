//! The document structure: the root, `edmx:Edmx`, `edmx:Reference` and `Schema`.

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

    pub(super) fn read_schema(&mut self, empty: bool, offset: u64) -> Result<Schema, RawError> {
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
}
