//! Original sources of compiled scripts, through their source maps, read offline: the map a
//! script names (inline, or a file beside it), `FILE.js.map` beside a local script, or a
//! folder of maps kept apart from what was served (`--source-maps DIR`). Nothing is fetched
//! over a network. Each script's map is read once and shared by every snapshot.

mod decode;
mod locate;
pub mod package;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use decode::Decoded;
use serde::Serialize;

use crate::graph::ScriptFacts;
use locate::DirIndex;

/// Where a function is in the original source: its file (as the map names it, relative
/// paths resolved against the map's folder), line and column (0-based) and, where the
/// map names it, the function's original name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    pub source: String,
    pub line: u32,
    pub column: u32,
    pub name: Option<String>,
}

/// Where V8 saw a function: the compiled script, line and column (counted as its owner
/// counts its own: sites 0-based, allocation frames 1-based; reports write both 1-based) and
/// V8's name for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Generated {
    pub function: String,
    pub script: String,
    pub line: u32,
    pub column: u32,
}

/// Which maps are read.
#[derive(Debug)]
enum Mode {
    /// None (`--no-source-maps`).
    Off,
    /// Those local scripts name or have beside them.
    Local,
    /// Those too, and the maps in a folder, matched to scripts by the end of their path.
    Folder(PathBuf),
}

/// The source maps of the scripts sites are in, read on first use.
#[derive(Debug)]
pub struct SourceMaps {
    mode: Mode,
    maps: Mutex<BTreeMap<String, Option<Arc<ScriptMap>>>>,
    /// One note per script whose map could not be used, by script.
    notes: Mutex<BTreeMap<String, String>>,
    folder: OnceLock<DirIndex>,
}

/// A script's decoded map and what helps read it.
#[derive(Debug)]
struct ScriptMap {
    map: Decoded,
    /// The folder relative `sources` are resolved against (the map file's).
    base: Option<PathBuf>,
    /// The compiled script's text, when it was read (to find functions' original names).
    text: Option<String>,
    /// Byte offsets of the starts of `text`'s lines.
    line_starts: Vec<usize>,
    /// Per line: all ASCII (its UTF-16 columns are byte offsets).
    line_ascii: Vec<bool>,
}

impl SourceMaps {
    /// Maps that local scripts name or have beside them: the default.
    pub const fn local() -> SourceMaps {
        SourceMaps::new(Mode::Local)
    }

    /// No maps at all.
    pub const fn off() -> SourceMaps {
        SourceMaps::new(Mode::Off)
    }

    /// Local maps, and those in `folder` (a build folder), matched to scripts by path suffix.
    pub fn with_folder(folder: PathBuf) -> SourceMaps {
        SourceMaps::new(Mode::Folder(folder))
    }

    const fn new(mode: Mode) -> SourceMaps {
        SourceMaps {
            mode,
            maps: Mutex::new(BTreeMap::new()),
            notes: Mutex::new(BTreeMap::new()),
            folder: OnceLock::new(),
        }
    }

    /// The process's default: [`SourceMaps::local`], shared.
    pub fn shared_local() -> &'static SourceMaps {
        static LOCAL: SourceMaps = SourceMaps::local();
        &LOCAL
    }

    /// The process's [`SourceMaps::off`], shared.
    pub fn shared_off() -> &'static SourceMaps {
        static OFF: SourceMaps = SourceMaps::off();
        &OFF
    }

    /// The original place of 0-based `line`, `column` in `script`, where the script's map
    /// says one. `name` is V8's name of the function there (the map may give the original
    /// one); `facts`, what the snapshot says of the script, is asked for on its first lookup.
    pub fn original(
        &self,
        script: &str,
        line: u32,
        column: u32,
        name: &str,
        facts: impl FnOnce() -> ScriptFacts,
    ) -> Option<Original> {
        let map = self.map_of(script, facts)?;
        let token = map.map.lookup(line, column)?;
        Some(Original {
            source: locate::source_path(token.source?, map.base.as_deref()),
            line: token.src_line,
            column: token.src_col,
            name: original_name(&map, line, column, name),
        })
    }

    /// The map of `script`, for many lookups of where positions came from (one lock and
    /// one search per script instead of per position).
    pub fn script_sources(
        &self,
        script: &str,
        facts: impl FnOnce() -> ScriptFacts,
    ) -> Option<ScriptSources> {
        self.map_of(script, facts).map(ScriptSources)
    }

    /// What keeps some scripts' maps from use, one line per script.
    pub fn notes(&self) -> Vec<String> {
        let notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        notes.values().cloned().collect()
    }

    fn map_of(&self, script: &str, facts: impl FnOnce() -> ScriptFacts) -> Option<Arc<ScriptMap>> {
        if matches!(self.mode, Mode::Off) || !may_have_map(script) {
            return None;
        }
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = maps.get(script) {
            return known.clone();
        }
        let folder = match &self.mode {
            Mode::Folder(dir) => Some(self.folder.get_or_init(|| DirIndex::new(dir))),
            _ => None,
        };
        let found = match locate::find(script, &facts(), folder) {
            Ok(found) => found.map(Arc::new),
            Err(note) => {
                let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
                notes.insert(script.to_string(), note);
                None
            }
        };
        maps.insert(script.to_string(), found.clone());
        found
    }
}

/// One script's map, for asking which original source many positions are in.
pub struct ScriptSources(Arc<ScriptMap>);

impl ScriptSources {
    /// The original source 0-based `line`, `column` of the compiled script came from, as
    /// the map names it, with a key equal for positions of one source (its text's address
    /// in the map, which holds for index maps' sections too).
    pub fn source_at(&self, line: u32, column: u32) -> Option<(usize, &str)> {
        let source = self.0.map.lookup(line, column)?.source?;
        Some((source.as_ptr() as usize, source))
    }

    /// A source [`ScriptSources::source_at`] gave, named as [`Original::source`] names it.
    pub fn source_path(&self, source: &str) -> String {
        locate::source_path(source, self.0.base.as_deref())
    }
}

/// Scripts that can have a map: named, and not Node's or the browser's own.
fn may_have_map(script: &str) -> bool {
    !script.is_empty()
        && !script.starts_with('<')
        && !script.starts_with("node:")
        && !script.starts_with("internal/")
        && !script.starts_with("extensions::")
        && !script.starts_with("chrome")
}

impl ScriptMap {
    fn new(map: Decoded, base: Option<PathBuf>, text: Option<String>) -> ScriptMap {
        let line_starts = text.as_deref().map_or_else(Vec::new, |t| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', t.as_bytes()).map(|i| i + 1))
                .collect()
        });
        let mut map = ScriptMap {
            map,
            base,
            text,
            line_starts,
            line_ascii: Vec::new(),
        };
        map.line_ascii = (0..map.line_starts.len() as u32)
            .map(|l| map.line(l).is_some_and(str::is_ascii))
            .collect();
        map
    }

    /// The text of 0-based line `line` of the compiled script, when it was read.
    fn line(&self, line: u32) -> Option<&str> {
        let text = self.text.as_deref()?;
        let start = *self.line_starts.get(line as usize)?;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(text.len(), |&e| e - 1);
        text.get(start..end)
    }

    /// Line `line` when it is all ASCII.
    fn ascii_line(&self, line: u32) -> Option<&str> {
        self.line_ascii
            .get(line as usize)
            .copied()
            .unwrap_or(false)
            .then(|| self.line(line))
            .flatten()
    }
}

/// The original name of the function V8 calls `name` whose parameters start at `line`,
/// `column`: the map's name for the identifier V8's name was taken from, where the map
/// has one (minifiers rename, and the map keeps the old name). The identifier is the last
/// occurrence of `name` before the parameters on that line (`function a(`, `a(){`,
/// `const a=(e)=>`), or right before them when the line's text is not at hand.
fn original_name(map: &ScriptMap, line: u32, column: u32, name: &str) -> Option<String> {
    if name.is_empty() || !name.is_ascii() {
        return None;
    }
    let width = name.len() as u32;
    // The 200 bytes before the parameters, when they are ASCII (columns count UTF-16 units,
    // which are bytes there only). A minified bundle's line is megabytes long: only this
    // window of it is looked at.
    let window = map.ascii_line(line).and_then(|text| {
        let end = column as usize;
        let start = end.saturating_sub(200);
        Some((start, text.as_bytes().get(start..end.min(text.len()))?))
    });
    let at = match window {
        Some((start, bytes)) => {
            let found = (0..bytes.len().saturating_sub(name.len() - 1))
                .rev()
                .find(|&i| {
                    bytes[i..].starts_with(name.as_bytes())
                        && (i == 0 || !is_identifier_byte(bytes[i - 1]))
                        && bytes
                            .get(i + name.len())
                            .is_none_or(|&b| !is_identifier_byte(b))
                })?;
            (start + found) as u32
        }
        None => column.checked_sub(width)?,
    };
    let token = map.map.lookup(line, at)?;
    (token.dst_col == at)
        .then_some(token.name)
        .flatten()
        .filter(|n| *n != name && !n.is_empty())
        .map(str::to_string)
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}
