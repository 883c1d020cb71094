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
        let s = self.read_structured(StructuredKind::Entity, empty, offset)?;
        Ok(EntityType {
            qualified_name: qualify(namespace, &s.name),
            name: s.name,
            base_type: s.base_type,
            is_abstract: s.is_abstract,
            open_type: s.open_type,
            has_stream: s.has_stream,
            key: s.key,
            properties: s.properties,
            navigation_properties: s.navigation_properties,
            annotations: s.annotations,
            offset,
        })
    }

    pub(super) fn read_complex_type(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<ComplexType, RawError> {
        let s = self.read_structured(StructuredKind::Complex, empty, offset)?;
        Ok(ComplexType {
            qualified_name: qualify(namespace, &s.name),
            name: s.name,
            base_type: s.base_type,
            is_abstract: s.is_abstract,
            open_type: s.open_type,
            properties: s.properties,
            navigation_properties: s.navigation_properties,
            annotations: s.annotations,
            offset,
        })
    }

    /// Reads an entity or complex type: the attributes and children they share, and for an
    /// entity type its `HasStream` and `Key` (a complex type ignores both, like any unknown
    /// attribute or child).
    fn read_structured(
        &mut self,
        kind: StructuredKind,
        empty: bool,
        offset: u64,
    ) -> Result<Structured, RawError> {
        let entity = kind == StructuredKind::Entity;
        let element = if entity { "EntityType" } else { "ComplexType" };
        let (mut name, mut base_type): (Option<Arc<str>>, _) = (None, None);
        let (mut is_abstract, mut open_type, mut has_stream) = (false, false, false);
        self.attributes(offset, element, |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "BaseType" => base_type = Some(interner.intern(value.trim())),
                "Abstract" => is_abstract = parse_bool(key, value)?,
                "OpenType" => open_type = parse_bool(key, value)?,
                "HasStream" if entity => has_stream = parse_bool(key, value)?,
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, element, None, "Name"))?;
        let mut s = Structured {
            name: name.clone(),
            base_type,
            is_abstract,
            open_type,
            has_stream,
            key: None,
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
        };
        self.path.push((element, Some(name)));
        let mark = self.property_scratch.len();
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Property => {
                    let property = self.read_property(empty, offset)?;
                    self.property_scratch.push(property);
                }
                Tag::Key if entity => {
                    let key = self.read_key(empty, offset)?;
                    if s.key.is_some() {
                        let name = s.name.to_string();
                        let kind = ErrorKind::Duplicate { what: "key", name };
                        return Err(self.error(offset, ("Key", None), kind));
                    }
                    s.key = Some(key);
                }
                Tag::NavigationProperty => s
                    .navigation_properties
                    .push(self.read_navigation_property(empty, offset)?),
                Tag::Annotation => s.annotations.push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        s.properties.extend(self.property_scratch.drain(mark..));
        self.path.pop();
        Ok(s)
    }

    pub(super) fn read_key(&mut self, empty: bool, offset: u64) -> Result<Key, RawError> {
        let mut key = Key {
            properties: Vec::new(),
            offset,
        };
        let mut children = self.children(empty, offset);
        while let Some((tag, _, offset)) = children.next(self)? {
            if tag == Tag::PropertyRef {
                let property_ref = self.read_property_ref(offset)?;
                key.properties.push(property_ref);
            }
        }
        Ok(key)
    }

    /// Reads a `PropertyRef`'s attributes (the walk over its parent skips the rest).
    fn read_property_ref(&mut self, offset: u64) -> Result<PropertyRef, RawError> {
        let (mut name, mut alias) = (None, None);
        self.attributes(offset, "PropertyRef", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "Alias" => alias = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| {
            // The path names the key; the error names the element that lacks the attribute.
            let mut e = self.missing(offset, "Key", None, "Name");
            e.kind = ErrorKind::MissingAttribute {
                element: "PropertyRef",
                attribute: "Name",
            };
            e
        })?;
        Ok(PropertyRef { name, alias })
    }

    pub(super) fn read_property(&mut self, empty: bool, offset: u64) -> Result<Property, RawError> {
        let (mut name, mut default_value) = (None, None);
        let mut typed = Typed::new();
        self.attributes(offset, "Property", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "DefaultValue" => default_value = Some(Arc::from(value)),
                _ => {
                    typed.attribute(interner, key, value)?;
                }
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Property", None, "Name"))?;
        let ty = typed
            .ty
            .ok_or_else(|| self.missing(offset, "Property", Some(&name), "Type"))?;
        let mut property = Property {
            name,
            ty,
            nullable: typed.nullable,
            facets: typed.facets,
            default_value,
            annotations: Vec::new(),
            offset,
        };
        self.read_annotations_only(&mut property.annotations, empty, offset)?;
        Ok(property)
    }

    /// Reads the children of an element that may only carry annotations (into `annotations`);
    /// others are skipped.
    pub(super) fn read_annotations_only(
        &mut self,
        annotations: &mut Vec<Annotation>,
        empty: bool,
        offset: u64,
    ) -> Result<(), RawError> {
        let mark = self.annotation_scratch.len();
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            if tag == Tag::Annotation {
                let annotation = self.read_annotation(empty, offset)?;
                self.annotation_scratch.push(annotation);
            }
        }
        annotations.extend(self.annotation_scratch.drain(mark..));
        Ok(())
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
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::ReferentialConstraint => {
                    let constraint = self.read_referential_constraint(&nav.name, offset)?;
                    nav.referential_constraints.push(constraint);
                }
                Tag::OnDelete => nav.on_delete = self.read_on_delete(offset)?,
                Tag::Annotation => nav.annotations.push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        Ok(nav)
    }

    /// Reads the attributes of a `ReferentialConstraint` of the navigation property `nav` (the
    /// walk over its parent skips the rest).
    fn read_referential_constraint(
        &mut self,
        nav: &str,
        offset: u64,
    ) -> Result<ReferentialConstraint, RawError> {
        let (mut property, mut referenced) = (None, None);
        self.attributes(offset, "ReferentialConstraint", |interner, key, value| {
            match key {
                "Property" => property = Some(interner.intern(value)),
                "ReferencedProperty" => referenced = Some(interner.intern(value)),
                _ => {}
            }
            Ok(())
        })?;
        let leaf = Some(nav);
        let property =
            property.ok_or_else(|| self.missing(offset, "NavigationProperty", leaf, "Property"))?;
        let referenced_property = referenced.ok_or_else(|| {
            self.missing(offset, "NavigationProperty", leaf, "ReferencedProperty")
        })?;
        Ok(ReferentialConstraint {
            property,
            referenced_property,
        })
    }

    /// Reads the `Action` of an `OnDelete`, `None` when it has none (the walk over its parent
    /// skips the rest).
    fn read_on_delete(&mut self, offset: u64) -> Result<Option<OnDeleteAction>, RawError> {
        let mut action = None;
        self.attributes(offset, "OnDelete", |_, key, value| {
            if key == "Action" {
                action = Some(match value {
                    "Cascade" => OnDeleteAction::Cascade,
                    "None" => OnDeleteAction::None,
                    "SetNull" => OnDeleteAction::SetNull,
                    "SetDefault" => OnDeleteAction::SetDefault,
                    _ => return Err(invalid(key, value, "Cascade, None, SetNull or SetDefault")),
                });
            }
            Ok(())
        })?;
        Ok(action)
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
        self.path.push(("EnumType", Some(name)));
        let mut next_value: i64 = 0;
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Member => {
                    let member = self.read_member(&mut next_value, empty, offset)?;
                    enum_type.members.push(member);
                }
                Tag::Annotation => enum_type
                    .annotations
                    .push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        self.path.pop();
        Ok(enum_type)
    }

    /// Reads an enumeration `Member`. One without a `Value` takes `next_value`, and every
    /// member moves `next_value` on to its own value plus one.
    fn read_member(
        &mut self,
        next_value: &mut i64,
        empty: bool,
        offset: u64,
    ) -> Result<EnumMember, RawError> {
        let (mut name, mut value) = (None, None);
        self.attributes(offset, "Member", |_, key, v| {
            match key {
                "Name" => name = Some(Arc::from(v)),
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
        let name = name.ok_or_else(|| self.missing(offset, "Member", None, "Name"))?;
        let value_explicit = value.is_some();
        let value = value.unwrap_or(*next_value);
        *next_value = value.wrapping_add(1);
        let mut member = EnumMember {
            name,
            value,
            value_explicit,
            annotations: Vec::new(),
        };
        self.read_annotations_only(&mut member.annotations, empty, offset)?;
        Ok(member)
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
        self.read_annotations_only(&mut definition.annotations, empty, offset)?;
        Ok(definition)
    }

    pub(super) fn read_term(
        &mut self,
        namespace: &Arc<str>,
        empty: bool,
        offset: u64,
    ) -> Result<Term, RawError> {
        let (mut name, mut base_term, mut default_value) = (None, None, None);
        let mut applies_to = Vec::new();
        let mut typed = Typed::new();
        self.attributes(offset, "Term", |interner, key, value| {
            match key {
                "Name" => name = Some(Arc::from(value)),
                "BaseTerm" => base_term = Some(interner.intern(value.trim())),
                "DefaultValue" => default_value = Some(Arc::from(value)),
                "AppliesTo" => {
                    applies_to = value
                        .split_whitespace()
                        .map(|s| interner.intern(s))
                        .collect();
                }
                _ => {
                    typed.attribute(interner, key, value)?;
                }
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Term", None, "Name"))?;
        let ty = typed
            .ty
            .ok_or_else(|| self.missing(offset, "Term", Some(&name), "Type"))?;
        let mut term = Term {
            qualified_name: qualify(namespace, &name),
            name,
            ty,
            base_term,
            nullable: typed.nullable,
            default_value,
            applies_to,
            facets: typed.facets,
            annotations: Vec::new(),
            offset,
        };
        self.read_annotations_only(&mut term.annotations, empty, offset)?;
        Ok(term)
    }
}

/// Which of the two structured types [`XmlReader::read_structured`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StructuredKind {
    Entity,
    Complex,
}

/// What entity and complex types are read into before they become an [`EntityType`] or a
/// [`ComplexType`].
struct Structured {
    name: Arc<str>,
    base_type: Option<Arc<str>>,
    is_abstract: bool,
    open_type: bool,
    /// Always `false` for a complex type.
    has_stream: bool,
    /// Always `None` for a complex type.
    key: Option<Key>,
    properties: Vec<Property>,
    navigation_properties: Vec<NavigationProperty>,
    annotations: Vec<Annotation>,
}
