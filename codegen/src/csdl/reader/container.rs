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
        self.path.push((element, Some(name)));
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Parameter => operation
                    .parameters
                    .push(self.read_parameter(empty, offset)?),
                Tag::ReturnType => {
                    operation.return_type = Some(self.read_return_type(empty, offset)?)
                }
                Tag::Annotation => operation
                    .annotations
                    .push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        self.path.pop();
        Ok(operation)
    }

    /// Reads an operation's `Parameter`.
    fn read_parameter(&mut self, empty: bool, offset: u64) -> Result<Parameter, RawError> {
        let mut name = None;
        let mut typed = Typed::new();
        self.attributes(offset, "Parameter", |interner, key, value| {
            if key == "Name" {
                name = Some(Arc::from(value));
            } else {
                typed.attribute(interner, key, value)?;
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing(offset, "Parameter", None, "Name"))?;
        let ty = typed
            .ty
            .ok_or_else(|| self.missing(offset, "Parameter", Some(&name), "Type"))?;
        let mut parameter = Parameter {
            name,
            ty,
            nullable: typed.nullable,
            facets: typed.facets,
            annotations: Vec::new(),
        };
        self.read_annotations_only(&mut parameter.annotations, empty, offset)?;
        Ok(parameter)
    }

    /// Reads an operation's `ReturnType`.
    fn read_return_type(&mut self, empty: bool, offset: u64) -> Result<ReturnType, RawError> {
        let mut typed = Typed::new();
        self.attributes(offset, "ReturnType", |interner, key, value| {
            typed.attribute(interner, key, value)?;
            Ok(())
        })?;
        let ty = typed
            .ty
            .ok_or_else(|| self.missing(offset, "ReturnType", None, "Type"))?;
        let mut return_type = ReturnType {
            ty,
            nullable: typed.nullable,
            facets: typed.facets,
            annotations: Vec::new(),
        };
        self.read_annotations_only(&mut return_type.annotations, empty, offset)?;
        Ok(return_type)
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
        self.path.push(("EntityContainer", Some(name)));
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::EntitySet => container
                    .entity_sets
                    .push(self.read_entity_set(empty, offset)?),
                Tag::Singleton => container
                    .singletons
                    .push(self.read_singleton(empty, offset)?),
                Tag::ActionImport => {
                    let import = self.read_import("ActionImport", "Action", empty, offset)?;
                    container.action_imports.push(import);
                }
                Tag::FunctionImport => {
                    let import = self.read_import("FunctionImport", "Function", empty, offset)?;
                    container.function_imports.push(import);
                }
                Tag::Annotation => container
                    .annotations
                    .push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        self.path.pop();
        Ok(container)
    }

    /// Reads the children of an entity set or singleton: navigation property bindings and
    /// annotations; others are skipped.
    pub(super) fn read_bindings_and_annotations(
        &mut self,
        bindings: &mut Vec<NavigationPropertyBinding>,
        annotations: &mut Vec<Annotation>,
        empty: bool,
        offset: u64,
    ) -> Result<(), RawError> {
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::NavigationPropertyBinding => bindings.push(self.read_binding(offset)?),
                Tag::Annotation => annotations.push(self.read_annotation(empty, offset)?),
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads a `NavigationPropertyBinding`'s attributes (the walk over its parent skips the
    /// rest).
    fn read_binding(&mut self, offset: u64) -> Result<NavigationPropertyBinding, RawError> {
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
        let path =
            path.ok_or_else(|| self.missing(offset, "NavigationPropertyBinding", None, "Path"))?;
        let target = target.ok_or_else(|| {
            self.missing(offset, "NavigationPropertyBinding", Some(&path), "Target")
        })?;
        Ok(NavigationPropertyBinding { path, target })
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
        self.read_bindings_and_annotations(
            &mut set.navigation_bindings,
            &mut set.annotations,
            empty,
            offset,
        )?;
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
        self.read_bindings_and_annotations(
            &mut singleton.navigation_bindings,
            &mut singleton.annotations,
            empty,
            offset,
        )?;
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
        self.read_annotations_only(&mut import.annotations, empty, offset)?;
        Ok(import)
    }
}
