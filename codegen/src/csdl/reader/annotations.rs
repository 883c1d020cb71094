//! Annotations: `Annotations` blocks, `Annotation` elements and their expressions.

#[allow(
    clippy::wildcard_imports,
    reason = "the reader's parts share its imports and helpers"
)]
use super::*;

impl<R: BufRead> XmlReader<R> {
    pub(super) fn read_annotation_block(
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
        self.path.push(("Annotations", Some(target)));
        self.read_annotations_only(&mut block.annotations, empty, offset)?;
        self.path.pop();
        Ok(block)
    }

    pub(super) fn read_annotation(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<Annotation, RawError> {
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
        // Every child but a nested annotation is the value; a later one replaces an earlier.
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            if tag == Tag::Annotation {
                let nested = self.read_annotation(empty, offset)?;
                annotation.annotations.push(nested);
            } else {
                annotation.value = self.read_expression(empty, offset)?;
            }
        }
        Ok(annotation)
    }

    /// Reads the expression element whose start tag is current. Kept small: nested
    /// collections recurse through here, so its stack frame times the nesting limit is the
    /// stack a deep document needs.
    pub(super) fn read_expression(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationValue, RawError> {
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

    pub(super) fn read_collection(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationValue, RawError> {
        let mut items = Vec::new();
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            if tag == Tag::Annotation {
                // Annotations inside a collection are not valid items; keep reading but drop
                // them.
                self.read_annotation(empty, offset)?;
            } else {
                items.push(self.read_expression(empty, offset)?);
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
        self.read_text_content(empty, offset)?;
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
    pub(super) fn read_other_expression(
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
        let mut elements = self.children(empty, offset);
        while let Some((tag, empty, offset)) = elements.next(self)? {
            if tag == Tag::Annotation {
                self.read_annotation(empty, offset)?;
            } else {
                children.push(self.read_expression(empty, offset)?);
            }
        }
        let text = std::mem::take(&mut self.text);
        let text = text.trim();
        Ok(AnnotationValue::Expression(Box::new(Expression {
            name,
            attributes,
            children,
            text: (!text.is_empty()).then(|| self.interner.intern(text)),
        })))
    }

    /// Reads until the end tag of a text-only element, leaving the text in `self.text`. Child
    /// elements are skipped.
    pub(super) fn read_text_content(&mut self, empty: bool, offset: u64) -> Result<(), RawError> {
        let mut collected = String::new();
        let mut children = self.children(empty, offset);
        while children.next(self)?.is_some() {
            // Left unread, the child is skipped.
            collected.push_str(&self.text);
        }
        if !collected.is_empty() {
            collected.push_str(&self.text);
            self.text = collected;
        }
        Ok(())
    }

    pub(super) fn read_record(
        &mut self,
        empty: bool,
        offset: u64,
    ) -> Result<AnnotationValue, RawError> {
        let mut record = Record::default();
        self.attributes(offset, "Record", |interner, key, value| {
            if key == "Type" {
                record.type_name = Some(interner.intern(value.trim()));
            }
            Ok(())
        })?;
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            match tag {
                Tag::Annotation => record
                    .annotations
                    .push(self.read_annotation(empty, offset)?),
                Tag::Other if local(&self.tag[..self.name_len]) == "PropertyValue" => {
                    let property = self.read_property_value(empty, offset)?;
                    record.properties.push(property);
                }
                _ => {}
            }
        }
        Ok(AnnotationValue::Record(Box::new(record)))
    }

    /// Reads a record's `PropertyValue`: the value is given as an attribute or as the last
    /// child expression; annotations on it are read and dropped.
    fn read_property_value(&mut self, empty: bool, offset: u64) -> Result<PropertyValue, RawError> {
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
        let property =
            property.ok_or_else(|| self.missing(offset, "PropertyValue", None, "Property"))?;
        let mut children = self.children(empty, offset);
        while let Some((tag, empty, offset)) = children.next(self)? {
            if tag == Tag::Annotation {
                self.read_annotation(empty, offset)?;
            } else {
                value = self.read_expression(empty, offset)?;
            }
        }
        Ok(PropertyValue { property, value })
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
