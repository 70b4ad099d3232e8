//! Cluster cards: what a cluster is, where it comes from, and its retainer paths drawn as a
//! chain of nodes and edges (SVG).

use std::path::Path;

use super::esc;
use crate::report::layout::{
    allocated_by, cluster_origin, cluster_title, frame_text, held_by, short_paths, short_scripts,
};
use crate::report::{ClusterReport, human_bytes, thousands};

/// A short path split into (node, edge out of it) for drawing: `global .state → Object
/// .validators → Map` gives (global, .state), (Object, .validators), (Map, "").
fn chain(short: &str) -> Vec<(String, String)> {
    short
        .split(" → ")
        .map(|segment| {
            let (node, edge) = match segment.rsplit_once(' ') {
                Some((head, last)) if is_edge(last) => (head, last),
                _ => (segment, ""),
            };
            // A folded run: `._idleNext ×240`.
            match node.rsplit_once(' ') {
                Some((head, e)) if edge.starts_with('\u{d7}') && is_edge(e) => {
                    (head.to_string(), format!("{e} {edge}"))
                }
                _ => (node.to_string(), edge.to_string()),
            }
        })
        .collect()
}

fn is_edge(token: &str) -> bool {
    token.starts_with('.')
        || token.starts_with("->")
        || token.starts_with('[')
        || (token.starts_with('{') && token.ends_with('}') && !token.contains(','))
        || token.starts_with('\u{d7}')
}

/// A retainer path drawn top-down: a box per node, the edge between boxes.
fn chain_svg(short: &str) -> String {
    let hops = chain(short);
    let row = 34.0;
    let height = hops.len() as f64 * row;
    let width = hops
        .iter()
        .map(|(n, e)| n.chars().count().max(e.chars().count() + 4))
        .max()
        .unwrap_or(10) as f64
        * 7.4
        + 40.0;
    let mut out = format!(
        "<svg class=\"chain\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         role=\"img\" aria-label=\"{}\">",
        esc(short)
    );
    for (i, (node, edge)) in hops.iter().enumerate() {
        let y = i as f64 * row;
        let w = node.chars().count() as f64 * 7.4 + 12.0;
        out.push_str(&format!(
            "<rect x=\"2\" y=\"{y:.0}\" width=\"{w:.0}\" height=\"20\" rx=\"4\"></rect>\
             <text x=\"8\" y=\"{:.0}\">{}</text>",
            y + 14.0,
            esc(node)
        ));
        if i + 1 < hops.len() {
            out.push_str(&format!(
                "<line x1=\"14\" y1=\"{:.0}\" x2=\"14\" y2=\"{:.0}\"></line>\
                 <text class=\"edge\" x=\"22\" y=\"{:.0}\">{}</text>",
                y + 20.0,
                y + row,
                y + 30.0,
                esc(edge)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// A link for a local script site (`file:///…`), shown short.
fn site_link(text: &str, cwd: Option<&Path>) -> String {
    let shown = esc(&short_scripts(text, cwd));
    match text.find('/').filter(|_| text.contains(" @ /")) {
        Some(_) => {
            let path = text.split(" @ ").nth(1).unwrap_or("");
            let file = path.split(':').next().unwrap_or("");
            format!("<a href=\"file://{}\">{shown}</a>", esc(file))
        }
        None => shown,
    }
}

pub(super) fn cluster_cards(list: &[&ClusterReport], cwd: Option<&Path>) -> String {
    let mut out =
        String::from("<h2 id=\"clusters\">Clusters of new objects</h2>\n<div class=\"cards\">\n");
    for c in list {
        let title = cluster_title(c, cwd);
        out.push_str(&format!(
            "<article class=\"card\" id=\"cluster-{}\" data-kind=\"{}\" data-retained=\"{}\">\n\
             <h3>#{} <span class=\"note\">{}</span> {}</h3>\n<dl>",
            c.rank,
            esc(c.kind),
            c.retained_size,
            c.rank,
            esc(c.kind),
            esc(&title)
        ));
        if let Some(site) = &c.site {
            let text = format!(
                "{} @ {}:{}:{}",
                site.function, site.script, site.line, site.column
            );
            out.push_str(&format!(
                "<dt>Site</dt><dd class=\"mono\">{}</dd>",
                site_link(&text, cwd)
            ));
        }
        // An object's site is its constructor already; eval'd closures name their compiler.
        if let Some(origin) = cluster_origin(c, cwd).filter(|_| c.kind == "closures") {
            out.push_str(&format!(
                "<dt>Origin</dt><dd class=\"mono\">{}</dd>",
                esc(&origin)
            ));
        }
        if let Some(by) = allocated_by(c, cwd) {
            let stack = c
                .allocation
                .as_ref()
                .and_then(|a| a.stacks.first())
                .map(|st| {
                    st.frames
                        .iter()
                        .map(|f| frame_text(f, cwd))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "<dt>Allocation</dt><dd class=\"mono\" title=\"{}\">{}</dd>",
                esc(&stack),
                esc(&by)
            ));
        }
        out.push_str(&format!(
            "<dt>Objects</dt><dd>{}</dd><dt>Shallow</dt><dd>{}</dd><dt>Retained</dt><dd>{}</dd>",
            thousands(c.count),
            human_bytes(c.self_size),
            human_bytes(c.retained_size)
        ));
        if !c.captured.is_empty() {
            out.push_str(&format!(
                "<dt>Captures</dt><dd class=\"mono\">{}</dd>",
                esc(&c.captured.join(", "))
            ));
        }
        let ids: Vec<String> = c.example_ids.iter().map(|i| format!("@{i}")).collect();
        out.push_str(&format!(
            "<dt>Example ids</dt><dd class=\"mono\">{}</dd>",
            esc(&ids.join(" "))
        ));
        if let Some(outer) = c.inside_of {
            out.push_str(&format!(
                "<dt>Held by</dt><dd>most of it inside <a href=\"#cluster-{outer}\">cluster #{outer}</a></dd>"
            ));
        }
        if !c.contains.is_empty() {
            let links: Vec<String> = c
                .contains
                .iter()
                .map(|r| format!("<a href=\"#cluster-{r}\">#{r}</a>"))
                .collect();
            out.push_str(&format!("<dt>Holds</dt><dd>{}</dd>", links.join(" ")));
        }
        out.push_str("</dl>\n");
        for p in short_paths(&c.paths, c.paths_sampled) {
            out.push_str(&format!(
                "<p class=\"mono path\">{}</p>\n{}\n",
                esc(&held_by(&p, c.paths_sampled, cwd)),
                chain_svg(&short_scripts(&p.short, cwd))
            ));
        }
        out.push_str("</article>\n");
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_nodes_and_edges() {
        assert_eq!(
            chain("global .state → Object .validators → Map [] → Function validate*"),
            [
                ("global", ".state"),
                ("Object", ".validators"),
                ("Map", "[]"),
                ("Function validate*", "")
            ]
            .map(|(n, e)| (n.to_string(), e.to_string()))
        );
        assert_eq!(
            chain("(Stack roots) … Function step ->ajv → {a, b, c}"),
            [
                ("(Stack roots) … Function step", "->ajv"),
                ("{a, b, c}", "")
            ]
            .map(|(n, e)| (n.to_string(), e.to_string()))
        );
        assert_eq!(
            chain("TimersList ._idleNext ×240 → Timeout"),
            [("TimersList", "._idleNext ×240"), ("Timeout", "")]
                .map(|(n, e)| (n.to_string(), e.to_string()))
        );
    }
}
