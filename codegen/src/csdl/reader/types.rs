//! Types: entity, complex and enumeration types, keys, properties, navigation properties, type definitions and terms.

#[allow(
    clippy::wildcard_imports,
    reason = "the reader's parts share its imports and helpers"
)]
use super::*;

impl<R: BufRead> XmlReader<R> {
    pub(super) fn read_entity_type(
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

    pub(super) fn read_key(&mut self, empty: bool, offset: u64) -> Result<Key, RawError> {
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

    pub(super) fn read_property(&mut self, empty: bool, offset: u64) -> Result<Property, RawError> {
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
    pub(super) fn read_annotations_only(
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

    pub(super) fn read_navigation_property(
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

    pub(super) fn read_complex_type(
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

    pub(super) fn read_enum_type(
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

    pub(super) fn read_type_definition(
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

    pub(super) fn read_term(
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
}
