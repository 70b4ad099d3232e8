//! Decoding source maps: the fields places are read from (a bundle's `sourcesContent`, often
//! most of its map, is read past and not kept), and inline `data:` maps.

use sourcemap::DecodedMap;

/// The fields of a source map that places are read from: `sourcesContent`, often most of a
/// bundle's map, is left unread.
#[derive(serde::Deserialize, serde::Serialize)]
struct Lean<'a> {
    version: u32,
    #[serde(borrow)]
    sources: Vec<Option<std::borrow::Cow<'a, str>>>,
    #[serde(
        borrow,
        default,
        rename = "sourceRoot",
        skip_serializing_if = "Option::is_none"
    )]
    source_root: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    names: Vec<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    mappings: std::borrow::Cow<'a, str>,
}

/// Decodes a map without its sources' text; index maps (`sections`) and anything unusual
/// go to the crate's decoder whole.
pub(super) fn decode(json: &[u8]) -> sourcemap::Result<DecodedMap> {
    // A map may start with an anti-XSSI line (`)]}'`).
    let json = match json.strip_prefix(b")]}") {
        Some(rest) => rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest, |n| &rest[n + 1..]),
        None => json,
    };
    match serde_json::from_slice::<Lean>(json).and_then(|lean| serde_json::to_vec(&lean)) {
        Ok(lean) => sourcemap::decode_slice(&lean),
        Err(_) => sourcemap::decode_slice(json),
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
        let token = map.lookup_token(0, 0).unwrap();
        assert_eq!(
            (token.get_source(), token.get_name()),
            (Some("a.ts"), Some("go"))
        );
        assert!(base64_decode("a$b").is_none());
    }
}
