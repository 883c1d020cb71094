//! Qualified names: splitting `Namespace.Name` and turning alias-qualified names
//! (`Core.Description`) into namespace-qualified ones (`Org.OData.Core.V1.Description`).

use std::sync::Arc;

use super::intern::Interner;
use super::model::NameMap;

/// Splits `Namespace.Name` at the last dot: `("Namespace", "Name")`. A name without a dot has
/// an empty namespace.
pub fn split_qualified(name: &str) -> (&str, &str) {
    name.rsplit_once('.').unwrap_or(("", name))
}

/// Rewrites alias-qualified names, sharing one allocation per distinct result.
///
/// `aliases` holds the document's own aliases and, when reading leniently, the customary
/// aliases of the standard vocabularies the document does not declare (`implicit`); the first
/// use of each implicit alias is recorded with the position last given to [`Self::at`].
pub(crate) struct AliasResolver<'a> {
    aliases: &'a NameMap<Arc<str>>,
    implicit: &'a NameMap<Arc<str>>,
    interner: &'a mut Interner,
    /// Name as written → (resolved name, the implicit alias it used, if any).
    memo: NameMap<(Arc<str>, Option<Arc<str>>)>,
    at: u64,
    /// (implicit alias, smallest offset it is used at).
    pub(crate) implicit_uses: Vec<(Arc<str>, u64)>,
}

impl<'a> AliasResolver<'a> {
    pub(crate) fn new(
        aliases: &'a NameMap<Arc<str>>,
        implicit: &'a NameMap<Arc<str>>,
        interner: &'a mut Interner,
    ) -> Self {
        AliasResolver {
            aliases,
            implicit,
            interner,
            memo: NameMap::default(),
            at: 0,
            implicit_uses: Vec::new(),
        }
    }

    /// Sets the byte offset of the element whose names are resolved next.
    pub(crate) fn at(&mut self, offset: u64) {
        self.at = offset;
    }

    /// Resolves a qualified name in place (`Alias.Type` → `Namespace.Type`).
    pub(crate) fn name(&mut self, name: &mut Arc<str>) {
        if let Some(resolved) = self.resolve(name, resolve_qualified) {
            *name = resolved;
        }
    }

    /// Resolves an optional qualified name in place.
    pub(crate) fn opt(&mut self, name: &mut Option<Arc<str>>) {
        if let Some(name) = name {
            self.name(name);
        }
    }

    /// Resolves every qualified name inside a path (`Alias.Type/Prop`,
    /// `Alias.Action(Alias.Type)`, space-separated enum member lists).
    pub(crate) fn path(&mut self, path: &mut Arc<str>) {
        if let Some(resolved) = self.resolve(path, resolve_path_text) {
            *path = resolved;
        }
    }

    fn resolve(
        &mut self,
        name: &Arc<str>,
        rewrite: fn(&NameMap<Arc<str>>, &str) -> Option<String>,
    ) -> Option<Arc<str>> {
        if let Some((done, implicit)) = self.memo.get(name) {
            let done = Arc::clone(done);
            if let Some(alias) = implicit.clone() {
                self.note_implicit(alias);
            }
            return Some(done);
        }
        let rewritten = rewrite(self.aliases, name)?;
        let mut used = None;
        if !self.implicit.is_empty() {
            for token in name.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
                let Some((prefix, _)) = token.rsplit_once('.') else {
                    continue;
                };
                if let Some((alias, _)) = self.implicit.get_key_value(prefix) {
                    used = Some(Arc::clone(alias));
                }
            }
        }
        if let Some(alias) = used.clone() {
            self.note_implicit(alias);
        }
        let shared = self.interner.intern(&rewritten);
        self.memo
            .insert(Arc::clone(name), (Arc::clone(&shared), used));
        Some(shared)
    }

    fn note_implicit(&mut self, alias: Arc<str>) {
        let at = self.at;
        match self.implicit_uses.iter_mut().find(|(a, _)| *a == alias) {
            Some((_, offset)) => *offset = (*offset).min(at),
            None => self.implicit_uses.push((alias, at)),
        }
    }
}

/// `Alias.Name` → `Namespace.Name`, or `None` when the prefix is not an alias.
pub(crate) fn resolve_qualified(aliases: &NameMap<Arc<str>>, name: &str) -> Option<String> {
    let (prefix, local) = name.rsplit_once('.')?;
    if prefix.contains('.') {
        return None;
    }
    let namespace = aliases.get(prefix)?;
    Some(format!("{namespace}.{local}"))
}

fn resolve_path_text(aliases: &NameMap<Arc<str>>, text: &str) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 16);
    let mut token = String::new();
    // Qualified names consist of identifier characters and dots; everything else separates.
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            token.push(c);
            continue;
        }
        if !token.is_empty() {
            match resolve_qualified(aliases, &token) {
                Some(resolved) => {
                    changed = true;
                    out.push_str(&resolved);
                }
                None => out.push_str(&token),
            }
            token.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases() -> NameMap<Arc<str>> {
        let mut map = NameMap::default();
        map.insert(Arc::from("Core"), Arc::from("Org.OData.Core.V1"));
        map
    }

    #[test]
    fn resolves_alias_prefix_of_qualified_name() {
        assert_eq!(
            resolve_qualified(&aliases(), "Core.Description").as_deref(),
            Some("Org.OData.Core.V1.Description")
        );
        assert_eq!(
            resolve_qualified(&aliases(), "Org.OData.Core.V1.Description"),
            None
        );
    }

    #[test]
    fn resolves_aliases_inside_paths_and_enum_member_lists() {
        assert_eq!(
            resolve_path_text(&aliases(), "Core.Permission/Read Core.Permission/Write").as_deref(),
            Some("Org.OData.Core.V1.Permission/Read Org.OData.Core.V1.Permission/Write")
        );
        assert_eq!(
            resolve_path_text(&aliases(), "Core.Act(Core.Type)/p").as_deref(),
            Some("Org.OData.Core.V1.Act(Org.OData.Core.V1.Type)/p")
        );
    }

    #[test]
    fn splits_qualified_names_at_the_last_dot() {
        assert_eq!(
            split_qualified("Microsoft.Dynamics.DataEntities.CustomerV3"),
            ("Microsoft.Dynamics.DataEntities", "CustomerV3")
        );
        assert_eq!(split_qualified("Plain"), ("", "Plain"));
    }
}
