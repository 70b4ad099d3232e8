//! The snapshot's Script objects, found by name: their source (Chromium keeps it whole in the
//! snapshot, Node its first 1,024 characters) and the `sourceMappingURL` V8 parsed from it,
//! which source maps start from.

use rustc_hash::FxHashMap;

use super::HeapGraph;

/// V8 cuts the strings it writes into a snapshot at this many characters
/// (`--heap-snapshot-string-limit`).
pub const STRING_LIMIT: usize = 1024;

/// What the snapshot says of one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptFacts {
    /// The script's source as the snapshot has it: whole, or cut at [`STRING_LIMIT`]
    /// characters.
    pub source_start: Option<String>,
    /// The `//# sourceMappingURL=` value V8 found, unless the snapshot cut it short.
    pub mapping_url: Option<String>,
}

impl HeapGraph {
    /// The Script node named `name` (Node names it by its path or URL, Chromium
    /// `system / Script / URL`), indexed on first use.
    pub fn script_node(&self, name: &str) -> Option<u32> {
        self.scripts
            .get_or_init(|| index_scripts(self))
            .get(name)
            .copied()
    }

    /// The source and source map URL of Script node `script`. V8 links the source by an
    /// internal `source` edge, and the map URL by an internal `source_mapping_url` edge or
    /// (older versions) a hidden edge with no name: the hidden string that reads as a map
    /// reference.
    pub fn script_facts(&self, script: u32) -> ScriptFacts {
        let mut facts = ScriptFacts::default();
        for e in self.edges(script) {
            let to = self.edge_to[e];
            if !self.is_type(to, self.node_types.string) {
                continue;
            }
            let text = self.raw_name(to);
            if self.is_edge_type(e, self.edge_types.internal)
                && self.strings.get(self.edge_name[e]) == "source"
            {
                facts.source_start = Some(text.to_string());
            } else if (self.is_edge_type(e, self.edge_types.hidden)
                || (self.is_edge_type(e, self.edge_types.internal)
                    && self.strings.get(self.edge_name[e]) == "source_mapping_url"))
                && is_map_reference(text)
                && !is_cut(text)
            {
                facts.mapping_url = Some(text.to_string());
            }
        }
        facts
    }
}

/// True for a string the snapshot may have cut short.
pub fn is_cut(text: &str) -> bool {
    text.len() >= STRING_LIMIT && text.chars().map(char::len_utf16).sum::<usize>() == STRING_LIMIT
}

/// A `sourceMappingURL` value: an inline map or the path or URL of a `.map` file.
fn is_map_reference(text: &str) -> bool {
    if text.starts_with("data:application/json") {
        return true;
    }
    let path = text.split(['?', '#']).next().unwrap_or_default();
    path.ends_with(".map") && !path.contains(char::is_whitespace)
}

/// Edges of a `code` node looked through for `source`: V8 writes a Script's first (Node 20)
/// or after its numeric fields (Chromium).
const SCRIPT_EDGES: usize = 32;

/// Script nodes by name: `code` nodes with an internal `source` edge to a string.
fn index_scripts(g: &HeapGraph) -> FxHashMap<Box<str>, u32> {
    let mut scripts = FxHashMap::default();
    for v in 0..g.node_count() as u32 {
        if !g.is_type(v, g.node_types.code) {
            continue;
        }
        let is_script = g.edges(v).take(SCRIPT_EDGES).any(|e| {
            g.is_edge_type(e, g.edge_types.internal)
                && g.is_type(g.edge_to[e], g.node_types.string)
                && g.strings.get(g.edge_name[e]) == "source"
        });
        if is_script {
            let name = g.raw_name(v);
            let name = name.strip_prefix("system / Script / ").unwrap_or(name);
            if !name.is_empty() {
                scripts.entry(name.into()).or_insert(v);
            }
        }
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::is_map_reference;

    #[test]
    fn map_references_are_told_from_other_strings() {
        assert!(is_map_reference("app.js.map"));
        assert!(is_map_reference("https://cdn.example/app.js.map?v=3"));
        assert!(is_map_reference("data:application/json;base64,eyJ2"));
        assert!(!is_map_reference("app.js"));
        assert!(!is_map_reference("a sentence about a .map"));
        assert!(!is_map_reference("//# sourceURL=x.js"));
    }
}
