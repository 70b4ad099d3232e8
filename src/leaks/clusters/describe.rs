//! A cluster's description from its key and members: kind, class, label, site, captured
//! variables, property names, example ids and retainer paths.

use super::keys::{Key, flatten_into, text_shape};
use super::paths::{PathScratch, path_shapes};
use super::sites::SiteResolver;
use super::{Cluster, ClusterKind};
use crate::analysis::Analysis;
use crate::analysis::classes::format_property_name;
use crate::graph::HeapGraph;

/// How many example ids a cluster lists.
const EXAMPLE_IDS: usize = 5;
/// How many captured variable names a cluster reports.
const MAX_CAPTURED: usize = 12;

/// A cluster of `members` under `key`; with `paths`, with its retainer paths.
pub(super) fn describe(
    a: &Analysis,
    sites: &mut SiteResolver,
    paths: Option<&mut PathScratch>,
    key: Key,
    members: Vec<u32>,
    retained: u64,
    attributed: (u64, u64),
) -> Cluster {
    let g = &a.graph;
    let first = members[0];
    let class_name = a.classes.class_name(g, first).to_string();
    let self_size = members
        .iter()
        .map(|&v| a.self_size[v as usize] as u64)
        .sum();
    let mut cluster = Cluster {
        kind: ClusterKind::Objects,
        class_name: class_name.clone(),
        key: String::new(),
        label: String::new(),
        site: None,
        members: Vec::new(),
        example_ids: members
            .iter()
            .take(EXAMPLE_IDS)
            .map(|&v| g.node_id[v as usize])
            .collect(),
        self_size,
        retained,
        attributed_count: attributed.0,
        attributed_size: attributed.1,
        captured: Vec::new(),
        properties: Vec::new(),
        paths: Vec::new(),
        paths_sampled: 0,
        inside_of: None,
        stacks: None,
    };
    match key {
        Key::Closure(key_site) => {
            cluster.kind = ClusterKind::Closures;
            cluster.key = format!(
                "closures\u{1f}{}\u{1f}{}\u{1f}{}:{}\u{1f}{}",
                key_site.function,
                key_site.script,
                key_site.line,
                key_site.column,
                key_site.created_by.as_deref().unwrap_or("")
            );
            let site = if key_site.script == "<eval>" {
                Box::new(sites.site(first))
            } else {
                key_site
            };
            cluster.label = site.label();
            cluster.captured = captured_variables(g, first);
            cluster.site = Some(*site);
        }
        Key::Object { properties, .. } => {
            cluster.properties = properties
                .iter()
                .map(|&s| g.strings.get(s).to_string())
                .collect();
            // DevTools' interface names (`{a, b}`) depend on the snapshot; the constructor's
            // name and the property set do not.
            cluster.key = format!(
                "objects\u{1f}{}\u{1f}{}",
                g.raw_name(first),
                cluster.properties.join("\u{1f}")
            );
            let shown: Vec<String> = cluster
                .properties
                .iter()
                .map(|p| format_property_name(p).into_owned())
                .collect();
            let mut shape = shown.join(", ");
            if shape.chars().count() > 80 {
                shape = shape.chars().take(79).collect::<String>() + "…";
            }
            cluster.site = sites.object_site(first);
            cluster.label = if class_name.starts_with('{') || shape.is_empty() {
                class_name.clone()
            } else {
                format!("{class_name} {{{shape}}}")
            };
        }
        Key::String(text) => {
            cluster.kind = ClusterKind::Strings;
            let text = g.strings.get(text);
            cluster.key = format!(
                "strings\u{1f}{}",
                text_shape(text).as_deref().unwrap_or(text)
            );
            cluster.label = quote_string(text);
        }
        Key::FlatString(node) => {
            let (mut text, mut parts) = (String::new(), Vec::new());
            flatten_into(g, node, &mut text, &mut parts);
            cluster.kind = ClusterKind::Strings;
            cluster.key = format!(
                "strings\u{1f}{}",
                text_shape(&text).as_deref().unwrap_or(&text)
            );
            cluster.label = quote_string(&text);
        }
        Key::Dom(_) => {
            cluster.kind = ClusterKind::DetachedDom;
            cluster.key = format!("detached-dom\u{1f}{class_name}");
            cluster.label = class_name.clone();
        }
    }
    let Some(scratch) = paths else {
        cluster.members = members;
        return cluster;
    };
    let (paths, sampled) = path_shapes(a, &members, scratch);
    cluster.paths = paths;
    cluster.paths_sampled = sampled;
    cluster.members = members;
    cluster
}

/// A string as JSON, shortened to 60 characters.
fn quote_string(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    let mut quoted = serde_json::to_string(&short).unwrap_or_default();
    if short.len() < text.len() {
        quoted.push('…');
    }
    quoted
}

/// Names of the variables a closure's context holds (its `context` edges).
fn captured_variables(g: &HeapGraph, closure: u32) -> Vec<String> {
    let Some(context) = g
        .edges(closure)
        .find(|&e| {
            g.is_edge_type(e, g.edge_types.internal) && g.strings.get(g.edge_name[e]) == "context"
        })
        .map(|e| g.edge_to[e])
    else {
        return Vec::new();
    };
    g.edges(context)
        .filter(|&e| g.is_edge_type(e, g.edge_types.context))
        .map(|e| g.strings.get(g.edge_name[e]).to_string())
        .take(MAX_CAPTURED)
        .collect()
}
