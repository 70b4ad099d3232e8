//! Where a short path starts as people write it: at `process`, `window` or `document`, at a
//! module's exports
//! (`require("mongoose")`), or at a scope's variable with its script (`app.js: cache`),
//! rather than at the engine's chain of contexts and roots above them.

use super::sites::SiteResolver;
use crate::analysis::Analysis;
use crate::graph::HeapGraph;

/// How a hop can start a short path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Start {
    /// The hop's node is a root people name (`process`, `require("mongoose")`): the text
    /// replaces the node.
    Node(String),
    /// The hop is a variable of a script's scope (`app.js: cache`): the text replaces the edge,
    /// and the node follows.
    Variable(String),
}

/// How the hop from `from` over edge `e` to `to` starts a path, if it can.
pub(super) fn start_of(
    a: &Analysis,
    sites: &mut SiteResolver<'_>,
    from: u32,
    e: usize,
    to: u32,
) -> Option<Start> {
    let g = &a.graph;
    if g.raw_name(to) == "process" && g.is_type(to, g.node_types.object) {
        return Some(Start::Node("process".to_string()));
    }
    // A page's global object (`Window [JSGlobalObject] / https://…`, or its embedder side
    // `Window / https://…`) and its document.
    let class = a.classes.class_name(g, to);
    if g.raw_name(to).starts_with("Window")
        && (class.contains("JSGlobalObject") || class.starts_with("Window /"))
    {
        return Some(Start::Node("window".to_string()));
    }
    if class == "HTMLDocument" {
        return Some(Start::Node("document".to_string()));
    }
    if g.is_edge_type(e, g.edge_types.property)
        && g.edge_name(e) == "exports"
        && a.classes.class_name(g, from) == "Module"
    {
        let file =
            string_property(g, from, "filename").or_else(|| string_property(g, from, "id"))?;
        return Some(Start::Node(format!("require(\"{}\")", module_name(&file))));
    }
    if g.is_edge_type(e, g.edge_types.context) && g.raw_name(from).starts_with("system / Context") {
        let closure = a
            .retainers
            .edges(g, from)
            .find(|&(_, source, re)| {
                g.is_type(source, g.node_types.closure) && g.edge_name(re) == "context"
            })
            .map(|(_, source, _)| source)?;
        let script = sites.site(closure).script;
        if script == super::UNKNOWN_SCRIPT || script.is_empty() {
            return None;
        }
        return Some(Start::Variable(format!("{script}: {}", g.edge_name(e))));
    }
    None
}

/// The value of `v`'s string property `name`.
fn string_property(g: &HeapGraph, v: u32, name: &str) -> Option<String> {
    let e = g
        .edges(v)
        .find(|&e| g.is_edge_type(e, g.edge_types.property) && g.edge_name(e) == name)?;
    let to = g.edge_to[e];
    let t = &g.node_types;
    let ty = Some(g.node_type[to as usize]);
    (ty == t.string || ty == t.cons_string || ty == t.sliced_string)
        .then(|| g.raw_name(to).to_string())
        .filter(|s| !s.is_empty())
}

/// A module as `require` names it: a package's entry file by the package
/// (`node_modules/mongoose/index.js` → `mongoose`), another file of a package by its path in
/// the package, a program's own file by its path.
fn module_name(file: &str) -> String {
    let Some(i) = file.rfind("node_modules/") else {
        return file.to_string();
    };
    let inside = &file[i + "node_modules/".len()..];
    let segments = if inside.starts_with('@') { 2 } else { 1 };
    let mut parts = inside.splitn(segments + 1, '/');
    let package: Vec<&str> = parts.by_ref().take(segments).collect();
    let package = package.join("/");
    match parts.next() {
        None | Some("index.js") => package,
        Some(rest) => format!("{package}/{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_named_as_require_names_them() {
        assert_eq!(
            module_name("/app/node_modules/mongoose/index.js"),
            "mongoose"
        );
        assert_eq!(
            module_name("/app/node_modules/@scope/pkg/lib/a.js"),
            "@scope/pkg/lib/a.js"
        );
        assert_eq!(
            module_name("/app/node_modules/@scope/pkg/index.js"),
            "@scope/pkg"
        );
        assert_eq!(module_name("/app/src/cache.js"), "/app/src/cache.js");
    }
}
