//! Operations and the entity container: actions, functions, entity sets, singletons, imports.

#[allow(
    clippy::wildcard_imports,
    reason = "the reader's parts share its imports and helpers"
)]
use super::*;

impl<R: BufRead> XmlReader<R> {
    pub(super) fn read_operation(
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

    pub(super) fn read_container(
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

    pub(super) fn read_bindings_and_annotations(
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

    pub(super) fn read_entity_set(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<EntitySet, RawError> {
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

    pub(super) fn read_singleton(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<Singleton, RawError> {
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

    pub(super) fn read_import(
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
}
