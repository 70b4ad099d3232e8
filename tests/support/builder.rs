//! Builds tiny synthetic `.heapsnapshot` texts in the layout Node 20 writes, for tests of single
//! DevTools rules and of malformed input.

#![allow(dead_code)]

/// One node: type name, name, id, self size, detachedness.
struct Node {
    ty: &'static str,
    name: String,
    id: u32,
    size: u32,
    detachedness: u32,
}

/// One edge: source node, type name, name (string) or index, target node.
struct Edge {
    from: usize,
    ty: &'static str,
    name: EdgeName,
    to: usize,
}

enum EdgeName {
    Str(String),
    Index(u32),
}

pub const NODE_TYPES: [&str; 14] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
];
pub const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];

/// A snapshot under construction. Node 0 is the synthetic root.
pub struct SnapshotBuilder {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    locations: Vec<(usize, u32, u32, u32)>,
}

impl Default for SnapshotBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SnapshotBuilder {
    /// A builder holding only the root (synthetic, id 1).
    pub fn new() -> SnapshotBuilder {
        let mut b = SnapshotBuilder {
            nodes: Vec::new(),
            edges: Vec::new(),
            locations: Vec::new(),
        };
        b.node("synthetic", "", 1, 0);
        b
    }

    /// Adds a node and returns its ordinal.
    pub fn node(&mut self, ty: &'static str, name: &str, id: u32, size: u32) -> usize {
        assert!(NODE_TYPES.contains(&ty), "unknown node type {ty}");
        self.nodes.push(Node {
            ty,
            name: name.to_string(),
            id,
            size,
            detachedness: 0,
        });
        self.nodes.len() - 1
    }

    pub fn detached(&mut self, node: usize, state: u32) {
        self.nodes[node].detachedness = state;
    }

    /// Adds a string-named edge (property, internal, shortcut, weak, context).
    pub fn edge(&mut self, from: usize, ty: &'static str, name: &str, to: usize) {
        assert!(EDGE_TYPES.contains(&ty), "unknown edge type {ty}");
        self.edges.push(Edge {
            from,
            ty,
            name: EdgeName::Str(name.to_string()),
            to,
        });
    }

    /// Adds an index-named edge (element, hidden).
    pub fn element(&mut self, from: usize, ty: &'static str, index: u32, to: usize) {
        self.edges.push(Edge {
            from,
            ty,
            name: EdgeName::Index(index),
            to,
        });
    }

    pub fn location(&mut self, node: usize, script: u32, line: u32, column: u32) {
        self.locations.push((node, script, line, column));
    }

    /// The snapshot as JSON text, edges grouped by source in insertion order.
    pub fn build(&self) -> String {
        let mut strings: Vec<String> = vec!["<dummy>".to_string()];
        let mut intern = |s: &str| -> u32 {
            if let Some(i) = strings.iter().position(|x| x == s) {
                return i as u32;
            }
            strings.push(s.to_string());
            (strings.len() - 1) as u32
        };
        let fields = 7;
        let mut nodes = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let count = self.edges.iter().filter(|e| e.from == i).count() as u32;
            let ty = NODE_TYPES.iter().position(|t| *t == n.ty).unwrap() as u32;
            let name = intern(&n.name);
            nodes.extend([ty, name, n.id, n.size, count, 0, n.detachedness]);
        }
        let mut edges = Vec::new();
        for i in 0..self.nodes.len() {
            for e in self.edges.iter().filter(|e| e.from == i) {
                let ty = EDGE_TYPES.iter().position(|t| *t == e.ty).unwrap() as u32;
                let name = match &e.name {
                    EdgeName::Str(s) => intern(s),
                    EdgeName::Index(i) => *i,
                };
                edges.extend([ty, name, (e.to * fields) as u32]);
            }
        }
        let locations: Vec<u32> = self
            .locations
            .iter()
            .flat_map(|&(n, s, l, c)| [(n * fields) as u32, s, l, c])
            .collect();
        let list = |v: &[u32]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let quoted = |v: &[&str]| {
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        let strings_json = serde_json::to_string(&strings).unwrap();
        format!(
            concat!(
                "{{\"snapshot\":{{\"meta\":{{",
                "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],",
                "\"node_types\":[[{}],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],",
                "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],",
                "\"edge_types\":[[{}],\"string_or_number\",\"node\"],",
                "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],",
                "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],",
                "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],",
                "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},",
                "\"node_count\":{},\"edge_count\":{},\"trace_function_count\":0}},\n",
                "\"nodes\":[{}],\n\"edges\":[{}],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\n",
                "\"locations\":[{}],\n\"strings\":{}}}\n"
            ),
            quoted(&NODE_TYPES),
            quoted(&EDGE_TYPES),
            self.nodes.len(),
            edges.len() / 3,
            list(&nodes),
            list(&edges),
            list(&locations),
            strings_json
        )
    }
}
