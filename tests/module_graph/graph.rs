//! The import graph between sibling modules, its circles, and the report that names them.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

use super::scan::scan;
use super::source::{GraphError, ModPath, SourceFile};

/// A path is followed through at most this many `pub use` re-exports.
const MAX_REEXPORT_HOPS: usize = 16;
/// How many references are printed for each edge of a circle.
const EVIDENCE_SHOWN: usize = 2;

/// Where an edge comes from: one reference in one file.
#[derive(Debug, Clone)]
pub(crate) struct Evidence {
    /// The file, as shown in messages.
    pub(crate) file: String,
    /// The line the reference is on.
    pub(crate) line: usize,
    /// The reference as it reads in the source.
    pub(crate) text: String,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} `{}`", self.file, self.line, self.text)
    }
}

/// The modules of one crate and the re-exports between them.
struct Resolver {
    modules: BTreeSet<ModPath>,
    /// `(module, name)` → the absolute path `pub use` in `module` re-exports as `name`.
    reexports: HashMap<(ModPath, String), ModPath>,
}

impl Resolver {
    /// The absolute path of `segments` written in `module`, or `None` for a path into another
    /// crate, a local item or a path that leaves the crate.
    fn absolute(&self, module: &ModPath, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" | "super" => {
                let mut base = module.clone();
                let mut rest = segments;
                while let Some((first, tail)) = rest.split_first() {
                    match first.as_str() {
                        // `super` above the root leaves the crate.
                        "super" => drop(base.pop()?),
                        "self" => {}
                        _ => break,
                    }
                    rest = tail;
                }
                base.extend_from_slice(rest);
                Some(base)
            }
            // Otherwise only a child module of `module` is inside this crate.
            _ => {
                let mut path = module.clone();
                path.push(first.clone());
                self.modules.contains(&path).then(|| {
                    path.extend_from_slice(rest);
                    path
                })
            }
        }
    }

    /// How many leading segments of the absolute `path` name a module (the root always counts
    /// when it is known); `None` when not even the root is.
    fn module_depth(&self, path: &[String]) -> Option<usize> {
        (0..=path.len())
            .rev()
            .find(|&k| self.modules.contains(&path[..k]))
    }

    /// The module that defines the item at the absolute `path`, following re-exports.
    fn defining_module(&self, mut path: ModPath) -> Option<ModPath> {
        for _ in 0..MAX_REEXPORT_HOPS {
            let depth = self.module_depth(&path)?;
            let reexport = path
                .get(depth)
                .and_then(|name| self.reexports.get(&(path[..depth].to_vec(), name.clone())));
            let Some(target) = reexport else {
                path.truncate(depth);
                return Some(path);
            };
            let mut next = target.clone();
            next.extend_from_slice(&path[depth + 1..]);
            path = next;
        }
        // Re-exports that lead back to each other: stop where the chain has got to.
        let depth = self.module_depth(&path)?;
        path.truncate(depth);
        Some(path)
    }
}

/// The import graph of one crate, between sibling modules.
#[derive(Debug)]
pub(crate) struct ModuleGraph {
    /// `from` → `to` → the references behind the edge.
    pub(crate) edges: BTreeMap<ModPath, BTreeMap<ModPath, Vec<Evidence>>>,
}

/// Builds the import graph of the crate made of `files`.
pub(crate) fn build_graph(files: &[SourceFile]) -> Result<ModuleGraph, GraphError> {
    let mut defined_by: BTreeMap<ModPath, String> = BTreeMap::new();
    let mut define = |module: &ModPath, file: &str| match defined_by.get(module) {
        Some(first) => Err(GraphError::DuplicateModule {
            module: name(module),
            first: first.clone(),
            second: file.to_owned(),
        }),
        None => {
            defined_by.insert(module.clone(), file.to_owned());
            Ok(())
        }
    };
    let mut scans = Vec::with_capacity(files.len());
    for file in files {
        define(&file.module, &file.display)?;
        let scan = scan(file)?;
        for inline in &scan.inline_modules {
            define(inline, &file.display)?;
        }
        scans.push((file, scan));
    }
    let mut resolver = Resolver {
        modules: defined_by.into_keys().collect(),
        reexports: HashMap::new(),
    };
    for reference in scans.iter().flat_map(|(_, scan)| &scan.references) {
        if let Some(name) = &reference.exported_as
            && let Some(target) = resolver.absolute(&reference.module, &reference.segments)
        {
            let key = (reference.module.clone(), name.clone());
            resolver.reexports.insert(key, target);
        }
    }
    let mut edges: BTreeMap<ModPath, BTreeMap<ModPath, Vec<Evidence>>> = BTreeMap::new();
    for (file, scan) in &scans {
        for reference in &scan.references {
            let from = &reference.module;
            let Some(to) = resolver
                .absolute(from, &reference.segments)
                .and_then(|path| resolver.defining_module(path))
            else {
                continue;
            };
            // The edge joins the two children of the closest common ancestor; a reference to
            // an ancestor or a descendant joins no siblings.
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                let evidence = Evidence {
                    file: file.display.clone(),
                    line: reference.line,
                    text: reference.text.clone(),
                };
                let sources = edges.entry(from[..=common].to_vec()).or_default();
                sources
                    .entry(to[..=common].to_vec())
                    .or_default()
                    .push(evidence);
            }
        }
    }
    Ok(ModuleGraph { edges })
}

/// `a::b`, or `crate` for the root.
pub(crate) fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// A set of modules that import each other in circles, and circles that pass through all of them.
#[derive(Debug)]
pub(crate) struct Circle {
    /// The modules, sorted.
    pub(crate) members: Vec<ModPath>,
    /// Closed walks (first module repeated at the end), together visiting every member.
    pub(crate) walks: Vec<Vec<ModPath>>,
}

impl ModuleGraph {
    /// How many edges the graph has.
    pub(crate) fn edge_count(&self) -> usize {
        self.edges.values().map(BTreeMap::len).sum()
    }

    /// The modules `from` has an edge to.
    fn targets(&self, from: &ModPath) -> impl Iterator<Item = &ModPath> {
        self.edges.get(from).into_iter().flat_map(BTreeMap::keys)
    }

    /// Every circle: the strongly connected components with more than one module (Tarjan's
    /// algorithm, with an explicit stack instead of recursion).
    pub(crate) fn circles(&self) -> Vec<Circle> {
        let nodes: Vec<&ModPath> = self
            .edges
            .iter()
            .flat_map(|(from, to)| std::iter::once(from).chain(to.keys()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let index_of: HashMap<&ModPath, usize> =
            nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let successors: Vec<Vec<usize>> = nodes
            .iter()
            .map(|&n| self.targets(n).map(|t| index_of[t]).collect())
            .collect();

        let mut order: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut low = vec![0; nodes.len()];
        let mut on_stack = vec![false; nodes.len()];
        let mut stack = Vec::new();
        let mut next_order = 0;
        let mut components = Vec::new();
        for root in 0..nodes.len() {
            if order[root].is_some() {
                continue;
            }
            // Each frame: a node and how many of its successors have been looked at.
            let mut frames = vec![(root, 0_usize)];
            (order[root], low[root], next_order) = (Some(next_order), next_order, next_order + 1);
            stack.push(root);
            on_stack[root] = true;
            while let Some((node, seen)) = frames.last_mut() {
                let node = *node;
                if let Some(&next) = successors[node].get(*seen) {
                    *seen += 1;
                    match order[next] {
                        None => {
                            (order[next], low[next], next_order) =
                                (Some(next_order), next_order, next_order + 1);
                            stack.push(next);
                            on_stack[next] = true;
                            frames.push((next, 0));
                        }
                        Some(seen_at) if on_stack[next] => low[node] = low[node].min(seen_at),
                        Some(_) => {}
                    }
                    continue;
                }
                frames.pop();
                if let Some(&(parent, _)) = frames.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if Some(low[node]) == order[node] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(nodes[member].clone());
                        if member == node {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort();
                        components.push(component);
                    }
                }
            }
        }
        components.sort();
        components
            .into_iter()
            .map(|members| self.circle(members))
            .collect()
    }

    /// Names the circles through `members`: shortest walks until every member is on one.
    fn circle(&self, members: Vec<ModPath>) -> Circle {
        let inside: BTreeSet<&ModPath> = members.iter().collect();
        let mut uncovered = inside.clone();
        let mut walks = Vec::new();
        while let Some(&start) = uncovered.first() {
            let walk = self.shortest_walk(start, &inside);
            for module in &walk {
                uncovered.remove(module);
            }
            // In a strongly connected component a walk back always exists; guard anyway.
            uncovered.remove(start);
            walks.push(walk);
        }
        Circle { members, walks }
    }

    /// The shortest walk from `start` back to itself that stays inside `inside` (breadth first).
    fn shortest_walk(&self, start: &ModPath, inside: &BTreeSet<&ModPath>) -> Vec<ModPath> {
        let mut came_from: HashMap<&ModPath, &ModPath> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            for next in self.targets(node).filter(|t| inside.contains(t)) {
                if next == start {
                    let mut walk = vec![start.clone(), node.clone()];
                    let mut at = node;
                    while let Some(&before) = came_from.get(at) {
                        walk.push(before.clone());
                        at = before;
                    }
                    walk.reverse();
                    return walk;
                }
                if !came_from.contains_key(next) {
                    came_from.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        vec![start.clone()]
    }

    /// The failure message: every circle, and the references behind each of its edges.
    pub(crate) fn report(&self, circles: &[Circle]) -> String {
        let mut out = format!(
            "{} import circle(s) between sibling modules:\n",
            circles.len()
        );
        for (n, circle) in circles.iter().enumerate() {
            let members: Vec<String> = circle.members.iter().map(|m| name(m)).collect();
            out.push_str(&format!("\ncircle {}: {}\n", n + 1, members.join(", ")));
            for walk in &circle.walks {
                let names: Vec<String> = walk.iter().map(|m| name(m)).collect();
                out.push_str(&format!("  {}\n", names.join(" -> ")));
                for pair in walk.windows(2) {
                    let evidence = self.edges.get(&pair[0]).and_then(|to| to.get(&pair[1]));
                    let evidence = evidence.map_or(&[][..], Vec::as_slice);
                    out.push_str(&format!("    {} -> {}:", name(&pair[0]), name(&pair[1])));
                    for shown in evidence.iter().take(EVIDENCE_SHOWN) {
                        out.push_str(&format!(" {shown};"));
                    }
                    if evidence.len() > EVIDENCE_SHOWN {
                        out.push_str(&format!(" and {} more", evidence.len() - EVIDENCE_SHOWN));
                    }
                    out.push('\n');
                }
            }
        }
        out
    }
}
