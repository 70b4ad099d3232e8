//! Finding a script's source map without a network: the `sourceMappingURL` comment of the
//! script file (or the one V8 kept in the snapshot), inline `data:` maps, `FILE.js.map`
//! beside the script, and a folder of maps matched by the end of the script's path.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::decode::Decoded;

use super::ScriptMap;
use super::decode::{decode, inline_json};
use crate::graph::{ScriptFacts, is_cut};

/// Larger scripts and maps are not read.
const MAX_FILE_BYTES: u64 = 512 << 20;
/// Files a `--source-maps` folder is searched through at most.
const MAX_FOLDER_FILES: usize = 200_000;

/// The files of a `--source-maps` folder by file name.
#[derive(Debug)]
pub(super) struct DirIndex {
    root: PathBuf,
    by_name: HashMap<String, Vec<PathBuf>>,
}

impl DirIndex {
    pub(super) fn new(root: &Path) -> DirIndex {
        let mut by_name: HashMap<String, Vec<PathBuf>> = HashMap::new();
        let mut pending = vec![root.to_path_buf()];
        let mut seen = 0;
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    pending.push(path);
                } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                    by_name.entry(name.to_string()).or_default().push(path);
                    seen += 1;
                }
                if seen >= MAX_FOLDER_FILES {
                    pending.clear();
                    break;
                }
            }
        }
        for paths in by_name.values_mut() {
            paths.sort();
        }
        DirIndex {
            root: root.to_path_buf(),
            by_name,
        }
    }

    /// The file whose path ends most like `wanted` (a URL's or a file's path), among those of
    /// the same name; ties go to the first in path order.
    fn best_match(&self, wanted: &str) -> Option<&Path> {
        let parts: Vec<&str> = wanted
            .split(['/', '\\'])
            .filter(|p| !p.is_empty())
            .collect();
        let name = parts.last()?;
        let candidates = self.by_name.get(*name)?;
        candidates
            .iter()
            .max_by_key(|c| {
                let theirs: Vec<_> = c
                    .strip_prefix(&self.root)
                    .unwrap_or(c)
                    .components()
                    .filter_map(|p| p.as_os_str().to_str())
                    .collect();
                let common = theirs
                    .iter()
                    .rev()
                    .zip(parts.iter().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
                (common, std::cmp::Reverse(theirs.len()))
            })
            .map(PathBuf::as_path)
    }
}

/// The map of `script`: `Ok(None)` when it names none and none is found, `Err(note)` when it
/// names one that cannot be used (missing, unreadable, broken, or the script changed since
/// the snapshot).
pub(super) fn find(
    script: &str,
    facts: &ScriptFacts,
    folder: Option<&DirIndex>,
) -> Result<Option<ScriptMap>, String> {
    let local = local_path(script).filter(|p| p.is_file());
    let text = match &local {
        Some(path) => {
            let text = read_text(path).map_err(|e| format!("{script}: {e}"))?;
            if let Some(start) = &facts.source_start
                && !same_start(&text, start)
            {
                return Err(format!(
                    "{script} changed since the snapshot was written: its source map is not used"
                ));
            }
            Some(text)
        }
        // The snapshot's own copy, when it is whole (Chromium's).
        None => facts.source_start.clone().filter(|s| !is_cut(s)),
    };
    let reference = text
        .as_deref()
        .and_then(mapping_comment)
        .or_else(|| facts.mapping_url.clone());
    let served_path = url_path(script);
    // A served script's folder is where its copy in the folder of maps is, if it is there.
    let built = match (&local, folder, &served_path) {
        (None, Some(f), Some(served)) => f.best_match(served).map(Path::to_path_buf),
        _ => None,
    };
    let script_dir = local.as_deref().or(built.as_deref()).and_then(Path::parent);
    if let Some(reference) = &reference {
        let reference = reference.trim();
        if reference.starts_with("data:") {
            return decode_inline(reference, script_dir, text, script).map(Some);
        }
        let bare = reference.split(['?', '#']).next().unwrap_or_default();
        if let Some(dir) = script_dir
            && !bare.contains("://")
        {
            let path = normalise(&dir.join(bare));
            if path.is_file() {
                return read_map(&path, text).map(Some);
            }
        }
        let wanted = match url_path(bare) {
            Some(absolute) => absolute,
            None => join_url_path(served_path.as_deref().unwrap_or_default(), bare),
        };
        if let Some(path) = folder.and_then(|f| f.best_match(&wanted)) {
            return read_map(path, text).map(Some);
        }
        return Err(match folder {
            Some(f) => format!(
                "{script}: its source map {reference} is neither beside it nor in {}",
                f.root.display()
            ),
            None => format!(
                "{script}: its source map {reference} was not found (give the folder the maps \
                 are in with --source-maps DIR)"
            ),
        });
    }
    if let Some(path) = &local {
        let beside = PathBuf::from(format!("{}.map", path.display()));
        if beside.is_file() {
            return read_map(&beside, text).map(Some);
        }
    }
    let (Some(folder), Some(served)) = (folder, served_path) else {
        return Ok(None);
    };
    if let Some(path) = folder.best_match(&format!("{served}.map")) {
        return read_map(path, text).map(Some);
    }
    // The script as built, in the folder: its own comment names its map.
    if let Some(built) = folder.best_match(&served) {
        let built_text = read_text(built).map_err(|e| format!("{script}: {e}"))?;
        if let Some(reference) = mapping_comment(&built_text) {
            let dir = built.parent();
            if reference.starts_with("data:") {
                return decode_inline(&reference, dir, Some(built_text), script).map(Some);
            }
            let bare = reference.split(['?', '#']).next().unwrap_or_default();
            if let Some(path) = dir
                .map(|d| normalise(&d.join(bare)))
                .filter(|p| p.is_file())
            {
                return read_map(&path, Some(built_text)).map(Some);
            }
        }
    }
    // Neither served nor built with a map (a page's inline script, a vendor file): no note.
    Ok(None)
}

/// The value of the script's last `sourceMappingURL` comment.
fn mapping_comment(text: &str) -> Option<String> {
    let mut from = text.len().saturating_sub(1 << 20);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let tail = &text[from..];
    let at = tail.rfind("sourceMappingURL=")?;
    let before = tail[..at].trim_end_matches([' ', '\t']);
    if !(before.ends_with("//#")
        || before.ends_with("//@")
        || before.ends_with("/*#")
        || before.ends_with("/*@"))
    {
        return None;
    }
    let value: String = tail[at + "sourceMappingURL=".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let value = value.trim_end_matches("*/").to_string();
    (!value.is_empty()).then_some(value)
}

/// True when the snapshot's start of a script's source is the start of `text` (V8 cuts
/// the source, and a cut can split a character: its last few bytes are not compared).
fn same_start(text: &str, start: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut end = start.len().saturating_sub(4);
    while !start.is_char_boundary(end) {
        end -= 1;
    }
    text.starts_with(&start[..end])
}

fn read_text(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{} is larger than 512 MiB", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A map file, memory-mapped: a bundle's map is tens of MB, read once and mostly skipped
/// (`sourcesContent`), so it is neither copied nor checked as UTF-8 whole.
fn map_file(path: &Path) -> Result<memmap2::Mmap, String> {
    let failed = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{} is larger than 512 MiB", path.display()));
    }
    // SAFETY: a read-only private mapping of a file heapdiff never writes; one truncated by
    // another process while mapped raises SIGBUS, the hazard every mmap reader accepts (the
    // snapshots are read the same way, see `crate::read`).
    unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(failed)
}

fn read_map(path: &Path, text: Option<String>) -> Result<ScriptMap, String> {
    let bytes = map_file(path)?;
    let map = decode(&bytes).map_err(|e| format!("{}: not a source map ({e})", path.display()))?;
    let map = fitting(map, text.as_deref(), &path.display().to_string())?;
    Ok(ScriptMap::new(
        map,
        path.parent().map(Path::to_path_buf),
        text,
    ))
}

fn decode_inline(
    url: &str,
    dir: Option<&Path>,
    text: Option<String>,
    script: &str,
) -> Result<ScriptMap, String> {
    let json = inline_json(url)
        .ok_or_else(|| format!("{script}: its inline source map is not base64 JSON"))?;
    let map = decode(&json)
        .map_err(|e| format!("{script}: its inline source map cannot be read ({e})"))?;
    let map = fitting(map, text.as_deref(), script)?;
    Ok(ScriptMap::new(map, dir.map(Path::to_path_buf), text))
}

/// The map, unless it maps lines the script does not have (a map of another build).
fn fitting(map: Decoded, text: Option<&str>, what: &str) -> Result<Decoded, String> {
    let (Some(last), Some(text)) = (map.last_line(), text) else {
        return Ok(map);
    };
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u32 + 1;
    if last >= lines {
        return Err(format!(
            "{what} maps line {} of a script of {lines} lines: it belongs to another build",
            last + 1
        ));
    }
    Ok(map)
}

/// A script name that is a local file: an absolute path or a `file://` URL.
fn local_path(script: &str) -> Option<PathBuf> {
    if let Some(rest) = script.strip_prefix("file://") {
        return Some(PathBuf::from(percent_decode(rest)));
    }
    let path = Path::new(script);
    path.is_absolute().then(|| path.to_path_buf())
}

/// The path of a URL (`http://host:1/a/b.js?x` → `/a/b.js`), or of a local script.
fn url_path(script: &str) -> Option<String> {
    let rest = match script.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None if script.starts_with('/') => script,
        None => return None,
    };
    Some(percent_decode(
        rest.split(['?', '#']).next().unwrap_or_default(),
    ))
}

/// `reference` resolved against the folder of URL path `base`.
fn join_url_path(base: &str, reference: &str) -> String {
    let dir = base.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{dir}/{reference}")
}

/// A source as the map names it, for people: `webpack://app/./src/a.ts` → `src/a.ts`,
/// `file:///x/a.ts` → `/x/a.ts`, and a relative path resolved against the map's folder.
pub(super) fn source_path(source: &str, base: Option<&Path>) -> String {
    if let Some(rest) = source.strip_prefix("file://") {
        return percent_decode(rest);
    }
    if let Some((scheme, rest)) = source.split_once("://") {
        if scheme.starts_with("http") {
            return source.to_string();
        }
        let path = rest.split_once('/').map_or(rest, |(_, p)| p);
        return path.trim_start_matches("./").to_string();
    }
    match base {
        Some(base) if !Path::new(source).is_absolute() => {
            normalise(&base.join(source)).display().to_string()
        }
        _ => source.to_string(),
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `%20` → ` ` (invalid escapes are kept as written).
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_broken_map_files_are_notes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.js.map");
        for content in ["", "{", "[1,2]"] {
            std::fs::write(&path, content).unwrap();
            let e = read_map(&path, None).unwrap_err();
            assert!(e.contains("not a source map"), "{content:?}: {e}");
        }
        assert!(read_map(&dir.path().join("missing.map"), None).is_err());
    }

    #[test]
    fn the_last_mapping_comment_is_read() {
        let js = "a();\n//# sourceMappingURL=old.js.map\nb();\n//# sourceMappingURL=app.js.map\n";
        assert_eq!(mapping_comment(js).as_deref(), Some("app.js.map"));
        assert_eq!(
            mapping_comment("x\n/*# sourceMappingURL=a.map */").as_deref(),
            Some("a.map")
        );
        assert_eq!(mapping_comment("let s = 'sourceMappingURL=x.map'"), None);
    }

    #[test]
    fn sources_read_as_paths() {
        let base = Path::new("/srv/app/dist");
        assert_eq!(source_path("../src/a.ts", Some(base)), "/srv/app/src/a.ts");
        assert_eq!(
            source_path("webpack://shop/./src/a.ts", Some(base)),
            "src/a.ts"
        );
        assert_eq!(source_path("file:///x/a%20b.ts", None), "/x/a b.ts");
        assert_eq!(source_path("src/a.ts", None), "src/a.ts");
    }

    #[test]
    fn urls_give_their_paths() {
        assert_eq!(
            url_path("http://127.0.0.1:80/js/app.js?v=2").as_deref(),
            Some("/js/app.js")
        );
        assert_eq!(url_path("/srv/app.js").as_deref(), Some("/srv/app.js"));
        assert_eq!(url_path("app.js"), None);
        assert_eq!(join_url_path("/js/app.js", "app.js.map"), "/js/app.js.map");
    }

    #[test]
    fn a_cut_source_start_still_matches() {
        assert!(same_start("\u{feff}const a = 1;\n", "const a = 1;\n"));
        assert!(!same_start("const b = 2;\n", "const a = 1;\n"));
    }
}
