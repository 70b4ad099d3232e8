//! Source sites of closures: the function's normalised name, its script (or `<eval>` and the
//! function that compiled it), line and column. Reads the graph only.

use std::collections::HashMap;

use crate::analysis::stacks::Frame;
use crate::graph::Retainers;
use crate::graph::{HeapGraph, Location};
use crate::sources::Generated;

/// Where a function was defined: in the original source when a source map says where (the
/// compiled script's place is then kept in `generated`).
#[derive(Debug, Clone)]
pub struct Site {
    /// The function's name with a trailing number replaced by `*` (code generators number the
    /// functions they emit: `validate1`, `validate2`, … are one site).
    pub function: String,
    /// The script's name (file or URL), or `<eval>` for code from `eval`/`new Function`.
    pub script: String,
    /// 0-based line and column of the function (V8's `locations`: the parameter list; for
    /// numbered names, where the name starts).
    pub line: u32,
    pub column: u32,
    /// For eval'd code: the function that ran `eval`/`new Function`, its script, line and
    /// column (1-based, when a closure of it is alive): `compile (app.js:12:5)`.
    pub created_by: Option<String>,
    /// Where V8 saw the function, when the fields above come from a source map.
    pub generated: Option<Box<Generated>>,
}

/// Sites are one site by their original place: two copies of one function (bundled into two
/// chunks) are one.
impl PartialEq for Site {
    fn eq(&self, other: &Site) -> bool {
        (
            &self.function,
            &self.script,
            self.line,
            self.column,
            &self.created_by,
        ) == (
            &other.function,
            &other.script,
            other.line,
            other.column,
            &other.created_by,
        )
    }
}

impl Eq for Site {}

impl std::hash::Hash for Site {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (
            &self.function,
            &self.script,
            self.line,
            self.column,
            &self.created_by,
        )
            .hash(state);
    }
}

impl Site {
    /// The npm package the function's code is in, by its original source (else its script);
    /// `None` for the application's own code.
    pub fn package(&self) -> Option<&str> {
        crate::sources::package::package_of(&self.script).or_else(|| {
            self.generated
                .as_ref()
                .and_then(|g| crate::sources::package::package_of(&g.script))
        })
    }

    /// `validate* @ <eval>:4:20, created by compile (ajv.js:3:9)`: 1-based line and column.
    /// A function without script or location (an engine built-in such as a promise's resolve
    /// function, or an embedder's API function) is `(anonymous) [native code]`, as its
    /// `toString()` says, rather than a made-up `1:1`.
    pub fn label(&self) -> String {
        let created_by = self
            .created_by
            .as_ref()
            .map(|c| format!(", created by {c}"))
            .unwrap_or_default();
        if self.script == UNKNOWN_SCRIPT && (self.line, self.column) == (0, 0) {
            return format!("{}{NATIVE_CODE}{created_by}", self.function);
        }
        format!(
            "{} @ {}:{}:{}{created_by}",
            self.function,
            self.script,
            self.line + 1,
            self.column + 1,
        )
    }
}

/// The script name of a function whose Script the snapshot does not link.
pub const UNKNOWN_SCRIPT: &str = "<unknown>";
/// What [`Site::label`] says of a function without script or location.
const NATIVE_CODE: &str = " [native code]";

/// Does a label (a site's, a part's or a cluster's) name a function without source: an engine
/// built-in, or one whose script the snapshot does not link?
pub fn names_no_source(label: &str) -> bool {
    label.contains(NATIVE_CODE) || label.contains(" @ <unknown>")
}

/// Finds the source site of closures through closure → `shared` (SharedFunctionInfo) →
/// `script` / `script_or_debug_info` (Script, named by its URL; unnamed for eval'd code, whose
/// Script links to the SharedFunctionInfo that ran the eval). Objects' sites come through
/// their map's `constructor`; where an eval origin is, through a closure that retains it.
pub struct SiteResolver<'g> {
    g: &'g HeapGraph,
    retainers: &'g Retainers,
    script_names: HashMap<u32, (String, Option<String>)>,
    /// Script ids already looked up by a scan of the closures' locations.
    script_of_id: HashMap<u32, Option<u32>>,
    location_of_shared: HashMap<u32, Option<Location>>,
    /// Per script id, the first closure (by node index) located in it; built on first use.
    closure_in_script: Option<HashMap<u32, u32>>,
}

/// Most maps a constructor is looked for through (`back_pointer` chains of transitions).
const MAX_BACK_POINTERS: usize = 64;

impl<'g> SiteResolver<'g> {
    pub fn new(g: &'g HeapGraph, retainers: &'g Retainers) -> SiteResolver<'g> {
        SiteResolver {
            g,
            retainers,
            script_names: HashMap::new(),
            script_of_id: HashMap::new(),
            location_of_shared: HashMap::new(),
            closure_in_script: None,
        }
    }

    /// `frame` with, when it is of eval'd code, the function that compiled that code.
    pub fn with_eval_origin(&mut self, mut frame: Frame) -> Frame {
        if frame.is_eval() {
            frame.created_by = self.eval_origin(frame.script_id);
        }
        frame
    }

    /// For eval'd code (`eval`, `new Function`) of script id `script_id`: the function that
    /// compiled it, as [`Site::created_by`] says it, when a closure of that script is alive.
    pub fn eval_origin(&mut self, script_id: u32) -> Option<String> {
        let g = self.g;
        let closures = self.closure_in_script.get_or_insert_with(|| {
            let mut first: HashMap<u32, u32> = HashMap::new();
            for (&c, l) in &g.locations {
                if g.is_type(c, g.node_types.closure) {
                    let slot = first.entry(l.script_id).or_insert(c);
                    *slot = (*slot).min(c);
                }
            }
            first
        });
        let closure = *closures.get(&script_id)?;
        let script = self.script_of_closure(closure)?;
        match self.script_name(script) {
            (name, created_by) if name == "<eval>" => created_by,
            _ => None,
        }
    }

    /// The constructor of object `v`: its map's `constructor`, past transitions' back pointers.
    fn constructor_of(&self, v: u32) -> Option<u32> {
        let g = self.g;
        let mut map = self.edge_named(v, &["map"])?;
        for _ in 0..MAX_BACK_POINTERS {
            if let Some(c) = self.edge_named(map, &["constructor"]) {
                return g.is_type(c, g.node_types.closure).then_some(c);
            }
            map = self.edge_named(map, &["back_pointer"])?;
        }
        None
    }

    /// The Script node of script id `id`, for object `v` located there: its constructor's
    /// script when that is the one (a derived class's map may name a base class), else the
    /// script of the first closure located in it (remembered per id).
    fn script_of_id(&mut self, v: u32, id: u32) -> Option<u32> {
        let g = self.g;
        let via_constructor = self
            .constructor_of(v)
            .filter(|c| g.locations.get(c).is_some_and(|l| l.script_id == id))
            .and_then(|c| self.script_of_closure(c));
        if via_constructor.is_some() {
            return via_constructor;
        }
        if let Some(&known) = self.script_of_id.get(&id) {
            return known;
        }
        let found = g.locations.iter().find_map(|(&c, l)| {
            (l.script_id == id && g.is_type(c, g.node_types.closure))
                .then(|| self.script_of_closure(c))
                .flatten()
        });
        self.script_of_id.insert(id, found);
        found
    }

    /// Where the function of SharedFunctionInfo `shared` is: the location of a closure of it
    /// (remembered: every eval'd script of one compiler names the same one).
    fn location_of_shared(&mut self, shared: u32) -> Option<Location> {
        if let Some(&known) = self.location_of_shared.get(&shared) {
            return known;
        }
        let g = self.g;
        let r = self.retainers;
        let found = r.edges(g, shared).find_map(|(_, closure, e)| {
            (g.is_type(closure, g.node_types.closure)
                && g.edge_types.has_string_name(g.edge_type[e])
                && g.strings.get(g.edge_name[e]) == "shared")
                .then(|| g.locations.get(&closure).copied())
                .flatten()
        });
        self.location_of_shared.insert(shared, found);
        found
    }

    /// Where an object's constructor was defined (V8 records it for objects of classes and
    /// constructor functions), if its script is known.
    pub fn object_site(&mut self, v: u32) -> Option<Site> {
        let g = self.g;
        let location = *g.locations.get(&v)?;
        let script_node = self.script_of_id(v, location.script_id)?;
        let (script, created_by) = self.script_name(script_node);
        if script == "<eval>" && created_by.is_none() {
            return None;
        }
        let raw = g.raw_name(v);
        let site = Site {
            function: raw.to_string(),
            script,
            line: location.line,
            column: location.column,
            created_by,
            generated: None,
        };
        Some(self.mapped(site, raw, Some(script_node)))
    }

    /// `site` at its original place, when its script's source map gives one.
    fn mapped(&self, site: Site, raw_name: &str, script: Option<u32>) -> Site {
        let g = self.g;
        let Some(original) =
            g.source_maps
                .original(&site.script, site.line, site.column, raw_name, || {
                    script.map(|s| g.script_facts(s)).unwrap_or_default()
                })
        else {
            return site;
        };
        let function = match original.name {
            Some(name) => normalise_function_name(&name),
            None => site.function.clone(),
        };
        Site {
            function,
            script: original.source,
            line: original.line,
            column: original.column,
            created_by: site.created_by.clone(),
            generated: Some(Box::new(Generated {
                function: site.function,
                script: site.script,
                line: site.line,
                column: site.column,
            })),
        }
    }

    /// The target of the first string-named edge of `v` called one of `names`.
    pub(super) fn edge_named(&self, v: u32, names: &[&str]) -> Option<u32> {
        let g = self.g;
        let named = |e: usize| g.edge_types.has_string_name(g.edge_type[e]);
        // Well-known names are compared by string index: this runs for every new closure.
        let indices = |i: usize| names.get(i).map_or(Some(&[][..]), |n| g.name_indices(n));
        if names.len() <= 2
            && let (Some(first), Some(second)) = (indices(0), indices(1))
        {
            return g
                .edges(v)
                .find(|&e| {
                    named(e)
                        && (first.contains(&g.edge_name[e]) || second.contains(&g.edge_name[e]))
                })
                .map(|e| g.edge_to[e]);
        }
        g.edges(v)
            .find(|&e| named(e) && names.contains(&g.strings.get(g.edge_name[e])))
            .map(|e| g.edge_to[e])
    }

    /// The SharedFunctionInfo of closure `v`: one per function of the source, shared by all
    /// its closures.
    pub fn shared_of(&self, closure: u32) -> Option<u32> {
        self.edge_named(closure, &["shared"])
    }

    /// The Script a closure's function is in.
    fn script_of_closure(&self, closure: u32) -> Option<u32> {
        self.shared_of(closure)
            .and_then(|s| self.script_of_shared(s))
    }

    pub fn script_of_shared(&self, shared: u32) -> Option<u32> {
        self.edge_named(shared, &["script_or_debug_info", "script"])
    }

    /// Reads the source map of Script node `script`, so that the sites in it are mapped at
    /// once later: run beside the dominator tree, this takes the maps' decoding off the
    /// report's path.
    pub fn read_map_of_script(&mut self, script: u32) {
        let g = self.g;
        let (name, _) = self.script_name(script);
        g.source_maps
            .script_sources(&name, || g.script_facts(script));
    }

    /// Where closure `v` was defined.
    pub fn site(&mut self, closure: u32) -> Site {
        let g = self.g;
        let raw = g.raw_name(closure);
        let function = normalise_function_name(raw);
        let script_node = self.script_of_closure(closure);
        let (script, created_by) = match script_node {
            Some(script) => self.script_name(script),
            None => (UNKNOWN_SCRIPT.to_string(), None),
        };
        let (line, mut column) = g
            .locations
            .get(&closure)
            .map_or((0, 0), |l| (l.line, l.column));
        // V8's column is that of the parameter list, after the name: for numbered names
        // (`validate9(`, `validate10(`) use the column where the name starts instead.
        if function.ends_with('*') {
            column = column.saturating_sub(raw.chars().map(char::len_utf16).sum::<usize>() as u32);
        }
        let site = Site {
            function,
            script,
            line,
            column,
            created_by,
            generated: None,
        };
        self.mapped(site, raw, script_node)
    }

    /// A script's name, or `<eval>` and who ran the eval.
    fn script_name(&mut self, script: u32) -> (String, Option<String>) {
        if let Some(known) = self.script_names.get(&script) {
            return known.clone();
        }
        let g = self.g;
        // Chromium names Script objects `system / Script / <url>` (eval'd code's, without a
        // URL, `system / Script`); Node by the URL alone.
        let name = g.raw_name(script);
        let name = match name {
            "system / Script" => "",
            named => named.strip_prefix("system / Script / ").unwrap_or(named),
        };
        let resolved = if !name.is_empty() {
            (name.to_string(), None)
        } else {
            // The eval origin: an edge to a SharedFunctionInfo (a node with a script edge).
            let origin = g.edges(script).map(|e| g.edge_to[e]).find(|&t| {
                t != script
                    && g.is_type(t, g.node_types.code)
                    && self.script_of_shared(t).is_some_and(|s| s != script)
            });
            let created_by = match origin {
                None => None,
                Some(sfi) => {
                    let function = match g.raw_name(sfi) {
                        "" => "(anonymous)",
                        f => f,
                    };
                    let from_node = self.script_of_shared(sfi);
                    let from = from_node
                        .map(|s| g.raw_name(s).to_string())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "<eval>".to_string());
                    Some(match self.location_of_shared(sfi) {
                        Some(l) => {
                            let compiler = Site {
                                function: function.to_string(),
                                script: from,
                                line: l.line,
                                column: l.column,
                                created_by: None,
                                generated: None,
                            };
                            let c = self.mapped(compiler, g.raw_name(sfi), from_node);
                            format!(
                                "{} ({}:{}:{})",
                                c.function,
                                c.script,
                                c.line + 1,
                                c.column + 1
                            )
                        }
                        None => format!("{function} ({from})"),
                    })
                }
            };
            ("<eval>".to_string(), created_by)
        };
        self.script_names.insert(script, resolved.clone());
        resolved
    }
}

/// `validate17` → `validate*`; an empty name → `(anonymous)`.
pub(super) fn normalise_function_name(name: &str) -> String {
    if name.is_empty() {
        return "(anonymous)".to_string();
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() < name.len() && !stem.is_empty() {
        format!("{stem}*")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{Generated, Site, normalise_function_name};

    #[test]
    fn copies_of_one_original_function_are_one_site() {
        let copy = |chunk: &str, column: u32| Site {
            function: "validateOrder".to_string(),
            script: "src/orders.ts".to_string(),
            line: 41,
            column: 6,
            created_by: None,
            generated: Some(Box::new(Generated {
                function: "a".to_string(),
                script: chunk.to_string(),
                line: 0,
                column,
            })),
        };
        let (one, two) = (copy("chunk-1.js", 120), copy("chunk-2.js", 9_034));
        assert_eq!(one, two);
        let mut set = std::collections::HashSet::new();
        set.insert(one);
        assert!(!set.insert(two));
    }

    #[test]
    fn numbered_functions_share_a_name() {
        assert_eq!(normalise_function_name("validate17"), "validate*");
        assert_eq!(normalise_function_name("run"), "run");
        assert_eq!(normalise_function_name("42"), "42");
        assert_eq!(normalise_function_name(""), "(anonymous)");
    }
}
