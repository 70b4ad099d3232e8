//! Decoding source maps: the fields places are read from (a bundle's `sourcesContent`, often
//! most of its map, is read past and not kept), and inline `data:` maps. Regular maps are
//! decoded by `oxc_sourcemap` (about 3× faster on a large bundle's `mappings`), index maps
//! (`sections`) and anything unusual by `sourcemap`.

use std::borrow::Cow;

/// The fields of a source map that places are read from: `sourcesContent`, often most of a
/// bundle's map, is left unread.
#[derive(serde::Deserialize)]
struct Lean<'a> {
    version: u32,
    #[serde(borrow)]
    sources: Vec<Option<Cow<'a, str>>>,
    #[serde(borrow, default, rename = "sourceRoot")]
    source_root: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    names: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    mappings: Cow<'a, str>,
}

/// A decoded map, asked where generated positions came from.
pub(super) enum Decoded {
    Regular(Regular),
    /// Index maps (flattened) and other kinds the `sourcemap` crate reads.
    Other(sourcemap::SourceMap),
}

/// A regular map's tokens (sorted by generated line, then column) and where each generated
/// line's tokens start.
pub(super) struct Regular {
    map: oxc_sourcemap::SourceMap<'static>,
    /// `line_starts[l]`: the index of the first token of generated line `l` or later.
    line_starts: Vec<u32>,
    /// Each token's generated column, apart, for binary searches that read memory in order.
    columns: Vec<u32>,
}

/// What a map says of one generated position: the token at or before it on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'m> {
    pub dst_line: u32,
    pub dst_col: u32,
    /// The original source as the map names it (`None` for unnamed sources), with the
    /// 0-based line and column in it.
    pub source: Option<&'m str>,
    pub src_line: u32,
    pub src_col: u32,
    pub name: Option<&'m str>,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Decoded::Regular(r) => write!(f, "Regular({} tokens)", r.map.get_tokens().len()),
            Decoded::Other(_) => f.write_str("Other"),
        }
    }
}

impl Decoded {
    /// The token of the greatest generated position at or before 0-based `line`, `column`
    /// on that same line (the first of several at one column).
    pub fn lookup(&self, line: u32, column: u32) -> Option<Token<'_>> {
        match self {
            Decoded::Regular(regular) => regular.lookup(line, column),
            Decoded::Other(map) => {
                let token = map.lookup_token(line, column)?;
                (token.get_dst_line() == line).then(|| Token {
                    dst_line: token.get_dst_line(),
                    dst_col: token.get_dst_col(),
                    source: token.get_source(),
                    src_line: token.get_src_line(),
                    src_col: token.get_src_col(),
                    name: token.get_name(),
                })
            }
        }
    }

    /// The last generated line a regular map maps (to tell a map of another build).
    pub fn last_line(&self) -> Option<u32> {
        match self {
            Decoded::Regular(regular) => {
                let count = regular.map.get_tokens().len() as u32;
                let last = regular.map.get_token(count.checked_sub(1)?)?;
                Some(last.get_dst_line())
            }
            Decoded::Other(_) => None,
        }
    }
}

impl Regular {
    fn new(map: oxc_sourcemap::SourceMap<'static>) -> Regular {
        let mut line_starts = Vec::new();
        let mut columns = Vec::with_capacity(map.get_tokens().len());
        for (index, token) in map.get_tokens().enumerate() {
            while line_starts.len() <= token.get_dst_line() as usize {
                line_starts.push(index as u32);
            }
            columns.push(token.get_dst_col());
        }
        line_starts.push(map.get_tokens().len() as u32);
        Regular {
            map,
            line_starts,
            columns,
        }
    }

    fn lookup(&self, line: u32, column: u32) -> Option<Token<'_>> {
        let start = *self.line_starts.get(line as usize)? as usize;
        let end = *self.line_starts.get(line as usize + 1)? as usize;
        let columns = self.columns.get(start..end)?;
        let after = columns.partition_point(|&c| c <= column);
        let at = *columns.get(after.checked_sub(1)?)?;
        // As the `sourcemap` crate answers when one column has several tokens: the first
        // for a lookup at that column, the last for one past it.
        let index = start
            + if at == column {
                columns.partition_point(|&c| c < at)
            } else {
                after - 1
            };
        let token = self.map.get_token(index as u32)?;
        let source = token
            .get_source_id()
            .and_then(|id| self.map.get_source(id))
            .filter(|s| !s.is_empty());
        Some(Token {
            dst_line: token.get_dst_line(),
            dst_col: token.get_dst_col(),
            source,
            src_line: token.get_src_line(),
            src_col: token.get_src_col(),
            name: token.get_name_id().and_then(|id| self.map.get_name(id)),
        })
    }
}

/// Decodes a map without its sources' text; index maps (`sections`) and anything unusual
/// go to the `sourcemap` crate's decoder whole.
pub(super) fn decode(json: &[u8]) -> Result<Decoded, String> {
    // A map may start with an anti-XSSI line (`)]}'`).
    let json = match json.strip_prefix(b")]}") {
        Some(rest) => rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest, |n| &rest[n + 1..]),
        None => json,
    };
    let lean_json = without_sources_content(json);
    let parsed = serde_json::from_slice::<Lean>(lean_json.as_deref().unwrap_or(json));
    if let Ok(lean) = parsed {
        let owned = |s: Cow<'_, str>| s.into_owned();
        let root = lean.source_root.as_deref().unwrap_or_default();
        let map = oxc_sourcemap::JSONSourceMap {
            version: lean.version,
            file: None,
            mappings: owned(lean.mappings),
            source_root: None,
            sources: lean
                .sources
                .iter()
                .map(|s| s.as_deref().map_or_else(String::new, |s| rooted(root, s)))
                .collect(),
            sources_content: None,
            names: lean.names.into_iter().map(owned).collect(),
            debug_id: None,
            ignore_list: None,
        };
        if let Ok(map) = oxc_sourcemap::SourceMap::from_json(map) {
            return Ok(Decoded::Regular(Regular::new(map)));
        }
    }
    let map = match sourcemap::decode_slice(json).map_err(|e| e.to_string())? {
        sourcemap::DecodedMap::Regular(map) => map,
        sourcemap::DecodedMap::Index(index) => index.flatten().map_err(|e| e.to_string())?,
        sourcemap::DecodedMap::Hermes(hermes) => (*hermes).clone(),
    };
    Ok(Decoded::Other(map))
}
/// The map's JSON without its `sourcesContent` array, cut out by a scan that only looks for
/// quotes and backslashes (JSON parsers read such a string byte by byte; a bundle's sources
/// are most of its map). `None` when there is none, or when it is not where a regular map has
/// it (the caller then parses the whole text, which is always right).
fn without_sources_content(json: &[u8]) -> Option<Vec<u8>> {
    let key = memchr::memmem::find(json, b"\"sourcesContent\"")?;
    let before = json[..key].trim_ascii_end();
    if !matches!(before.last(), Some(b',' | b'{')) {
        return None;
    }
    let mut at = key + b"\"sourcesContent\"".len();
    let skip_space = |at: &mut usize| {
        while json.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    skip_space(&mut at);
    (json.get(at) == Some(&b':')).then_some(())?;
    at += 1;
    skip_space(&mut at);
    (json.get(at) == Some(&b'[')).then_some(())?;
    at += 1;
    loop {
        skip_space(&mut at);
        match *json.get(at)? {
            b']' => break,
            b',' => at += 1,
            b'n' if json[at..].starts_with(b"null") => at += 4,
            b'"' => at = string_end(json, at + 1)?,
            _ => return None,
        }
    }
    let mut end = at + 1;
    // Keep the JSON an object: drop the comma before the key, or else the one after the array.
    let mut out = Vec::with_capacity(json.len() - (end - key));
    if before.last() == Some(&b',') {
        out.extend_from_slice(&before[..before.len() - 1]);
    } else {
        out.extend_from_slice(before);
        skip_space(&mut end);
        if json.get(end) == Some(&b',') {
            end += 1;
        }
    }
    out.extend_from_slice(&json[end..]);
    Some(out)
}

/// Just past the end of the JSON string whose characters start at `at`.
fn string_end(json: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += memchr::memchr2(b'"', b'\\', json.get(at..)?)?;
        if json[at] == b'"' {
            return Some(at + 1);
        }
        at += 2;
    }
}

/// `source` under the map's `sourceRoot`, unless it is absolute or a URL (as the `sourcemap`
/// crate joins them).
fn rooted(root: &str, source: &str) -> String {
    let root = root.strip_suffix('/').unwrap_or(root);
    if root.is_empty()
        || source.is_empty()
        || source.starts_with('/')
        || source.starts_with("http:")
        || source.starts_with("https:")
    {
        source.to_string()
    } else {
        format!("{root}/{source}")
    }
}

/// The JSON of a `data:application/json[;charset=utf-8];base64,` URL.
pub(super) fn inline_json(url: &str) -> Option<Vec<u8>> {
    let rest = url.strip_prefix("data:application/json")?;
    let (params, data) = rest.split_once(',')?;
    if !params.ends_with(";base64") {
        return Some(super::locate::percent_decode(data).into_bytes());
    }
    base64_decode(data.trim())
}

/// Standard base64 (padding optional); `None` for other characters.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 3);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() * 6 / 8;
        out.extend_from_slice(&acc.to_be_bytes()[1..=produced]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_maps_decode() {
        let json = r#"{"version":3,"sources":["a.ts"],"names":["go"],"mappings":"AAAAA","sourcesContent":["x"]}"#;
        let b64 = "eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImEudHMiXSwibmFtZXMiOlsiZ28iXSwibWFwcGluZ3MiOiJBQUFBQSIsInNvdXJjZXNDb250ZW50IjpbIngiXX0=";
        let url = format!("data:application/json;charset=utf-8;base64,{b64}");
        assert_eq!(inline_json(&url).unwrap(), json.as_bytes());
        let map = decode(json.as_bytes()).unwrap();
        assert!(matches!(map, Decoded::Regular(_)));
        let token = map.lookup(0, 0).unwrap();
        assert_eq!((token.source, token.name), (Some("a.ts"), Some("go")));
        assert!(base64_decode("a$b").is_none());
    }

    /// A token without a source has no source position either.
    fn placed(t: Token<'_>) -> Token<'_> {
        match t.source {
            Some(_) => t,
            None => Token {
                src_line: 0,
                src_col: 0,
                ..t
            },
        }
    }

    /// The fast decoder answers every lookup as the `sourcemap` crate does, on random maps
    /// with a source root, unnamed tokens, several tokens at one column and empty lines.
    #[test]
    fn regular_maps_answer_as_the_sourcemap_crate() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as u32
        };
        for round in 0..40 {
            let mut builder = sourcemap::SourceMapBuilder::new(None);
            if round % 2 == 0 {
                builder.set_source_root(Some("webpack://app/"));
            }
            let sources = ["src/a.ts", "/abs/b.ts", "https://x/c.js", "d.ts"];
            let (mut line, mut col) = (0, 0);
            for _ in 0..next(200) + 1 {
                match next(6) {
                    0 => (line, col) = (line + 1 + next(2), next(5)),
                    1 => {}
                    _ => col += next(30),
                }
                let source = (next(8) != 0).then(|| sources[next(4) as usize]);
                let name = (next(3) == 0).then_some("fn");
                builder.add(line, col, next(500), next(80), source, name, false);
            }
            let mut json = Vec::new();
            builder.into_sourcemap().to_writer(&mut json).unwrap();
            let ours = decode(&json).unwrap();
            assert!(matches!(ours, Decoded::Regular(_)));
            let theirs = Decoded::Other(sourcemap::SourceMap::from_slice(&json).unwrap());
            for l in 0..=line + 1 {
                for c in 0..col + 40 {
                    assert_eq!(
                        ours.lookup(l, c).map(placed),
                        theirs.lookup(l, c).map(placed),
                        "round {round} {l}:{c}"
                    );
                }
            }
            assert_eq!(ours.last_line(), Some(line));
        }
    }

    #[test]
    fn sources_content_is_cut_out_whatever_its_strings_hold() {
        let cases = [
            (
                r#"{"version":3,"sources":["a"],"sourcesContent":["x\"],[\\",null],"mappings":"AAAA"}"#,
                r#"{"version":3,"sources":["a"],"mappings":"AAAA"}"#,
            ),
            (
                r#"{"sourcesContent" : [ "q" ] , "version":3}"#,
                r#"{ "version":3}"#,
            ),
            (r#"{"version":3, "sourcesContent":[]}"#, r#"{"version":3}"#),
        ];
        for (json, lean) in cases {
            let cut = without_sources_content(json.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(cut).unwrap(), lean);
        }
        // Not where a regular map has it: left to the full parse.
        assert!(without_sources_content(br#"{"x":{"y":1,"sourcesContent":["a"]}}"#).is_some());
        assert!(without_sources_content(br#"{"sources":["\"sourcesContent\""]}"#).is_none());
        assert!(without_sources_content(br#"{"sourcesContent":["open"#).is_none());
    }

    #[test]
    fn index_maps_go_to_the_sourcemap_crate() {
        let json = r#"{"version":3,"sections":[{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}}]}"#;
        let map = decode(json.as_bytes()).unwrap();
        assert!(matches!(map, Decoded::Other(_)));
        assert_eq!(map.lookup(1, 3).and_then(|t| t.source), Some("a.ts"));
        assert_eq!(map.lookup(0, 3), None);
        assert!(decode(b"not json").is_err());
    }
}
