//! SARIF 2.1.0 (`--format sarif`), for code-scanning tools: one result per finding, located at
//! the code that made what it gained (for eval'd code, the function that compiled it), with
//! its sentence as the message, the holder's path as a related location and the finding's
//! fingerprint as a partial fingerprint. Rendering only.

use std::path::Path;

use serde_json::{Value, json};

use super::findings::{FindingReport, verdict_of};
use super::layout::short_scripts;
use super::series::SeriesReport;
use super::{DiffReport, human_bytes};

/// The rules a result can follow, by the finding's evidence: (id, name, level, description).
const RULES: [(&str, &str, &str, &str); 4] = [
    (
        "growing-holder",
        "GrowingHolder",
        "error",
        "An object alive in every snapshot gained new objects at every step: a leak.",
    ),
    (
        "gaining-holder",
        "GainingHolder",
        "warning",
        "An object alive in both snapshots gained new objects: with one step, a leak or a \
         one-time fill (a third snapshot tells them apart).",
    ),
    (
        "not-growing-holder",
        "NotGrowingHolder",
        "note",
        "An object gained new objects but did not grow at every step, or looks like a \
         one-time fill or a churning cache.",
    ),
    (
        "in-flight",
        "InFlightRequests",
        "note",
        "New objects held by requests in flight when the snapshot was taken.",
    ),
];

/// The base URI that relative locations are under.
const SRCROOT: &str = "%SRCROOT%";

pub fn diff(r: &DiffReport, cwd: Option<&Path>) -> String {
    let files = [Some(&r.base), r.target.as_ref(), Some(&r.late)];
    let files: Vec<&str> = files.iter().flatten().map(|s| s.file.as_str()).collect();
    render(&r.verdict, &files, &r.findings, cwd)
}

pub fn series(r: &SeriesReport, cwd: Option<&Path>) -> String {
    let files: Vec<&str> = r.snapshots.iter().map(|s| s.file.as_str()).collect();
    render(&r.verdict, &files, &r.findings, cwd)
}

fn render(verdict: &str, files: &[&str], findings: &[FindingReport], cwd: Option<&Path>) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, level, text)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": {"text": text},
                "defaultConfiguration": {"level": level},
                "helpUri": "https://github.com/heapdiff/heapdiff#findings",
            })
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(|f| result(f, cwd)).collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "heapdiff",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/heapdiff/heapdiff",
            "rules": rules,
        }},
        "results": results,
        "properties": {"verdict": short_scripts(verdict, cwd), "snapshots": files},
    });
    if let Some(root) = cwd.and_then(directory_uri) {
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": root}});
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

/// The rule index a finding follows (see [`RULES`]).
fn rule_of(f: &FindingReport) -> usize {
    match (f.evidence, f.suspicion) {
        (_, Some("in-flight")) => 3,
        ("growing", _) => 0,
        ("two-snapshots", None) => 1,
        _ => 2,
    }
}

/// What a result says: the finding's own verdict.
fn message(f: &FindingReport) -> String {
    let steps = f.step_bytes.len().max(1) as u64;
    let per_step = human_bytes(f.gained_bytes / steps);
    match rule_of(f) {
        0 | 1 => verdict_of(std::slice::from_ref(f)),
        3 => format!(
            "Held by requests in flight at snapshot time: {}, +{per_step}",
            f.place()
        ),
        _ => format!(
            "Gained without growing at every step: {}, +{per_step} per step{}",
            f.place(),
            f.suspicion_note()
        ),
    }
}

fn result(f: &FindingReport, cwd: Option<&Path>) -> Value {
    let rule = rule_of(f);
    let mut related = vec![json!({
        "id": 1,
        "message": {"text": format!("held by {}", f.holder.path)},
        "logicalLocations": [{"fullyQualifiedName": f.holder.path, "kind": "object"}],
    })];
    for (i, other) in f.also_held_by.iter().enumerate() {
        related.push(json!({
            "id": i + 2,
            "message": {"text": format!("also held by {other}")},
            "logicalLocations": [{"fullyQualifiedName": other, "kind": "object"}],
        }));
    }
    let mut result = json!({
        "ruleId": RULES[rule].0,
        "ruleIndex": rule,
        "level": RULES[rule].2,
        "message": {"text": short_scripts(&message(f), cwd)},
        "relatedLocations": related,
        "partialFingerprints": {"heapdiffLeak/v1": f.fingerprint},
        "properties": {
            "rank": f.rank,
            "holder": f.label,
            "gainedBytes": f.gained_bytes,
            "gainedCount": f.gained_count,
            "stepBytes": f.step_bytes,
        },
    });
    // SARIF's own words for a result against a baseline.
    if let Some(state) = f.baseline {
        result["baselineState"] = json!(match state {
            "known" => "unchanged",
            "grown" => "updated",
            _ => "new",
        });
    }
    if let Some(location) = f.site.as_ref().and_then(|s| {
        let (script, line, column) = match (&s.created_by, s.script.as_str()) {
            (Some(origin), "<eval>") => parse_origin(origin)?,
            _ => (s.script.clone(), s.line, s.column),
        };
        Some(physical_location(&script, line, column, &s.label, cwd))
    }) {
        result["locations"] = json!([location]);
    }
    result
}

/// `compile (app.js:12:5)` → (`app.js`, 12, 5): where eval'd code came from.
fn parse_origin(origin: &str) -> Option<(String, u32, u32)> {
    let inner = origin.strip_suffix(')')?;
    let inner = &inner[inner.find(" (")? + 2..];
    let (rest, column) = inner.rsplit_once(':')?;
    let (script, line) = rest.rsplit_once(':')?;
    Some((script.to_string(), line.parse().ok()?, column.parse().ok()?))
}

/// A location in a script: relative to [`SRCROOT`] when it is a file below `cwd`.
fn physical_location(
    script: &str,
    line: u32,
    column: u32,
    label: &str,
    cwd: Option<&Path>,
) -> Value {
    let path = script.strip_prefix("file://").unwrap_or(script);
    let below = cwd
        .and_then(|c| c.to_str())
        .map(|c| c.trim_end_matches('/'))
        .filter(|c| !c.is_empty())
        .and_then(|c| path.strip_prefix(c)?.strip_prefix('/'));
    let artifact = match below {
        Some(relative) => json!({"uri": encode_path(relative), "uriBaseId": SRCROOT}),
        None if path.starts_with('/') => json!({"uri": format!("file://{}", encode_path(path))}),
        None => json!({"uri": script}),
    };
    json!({
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": line.max(1), "startColumn": column.max(1)},
        },
        "message": {"text": label},
    })
}

/// A directory as a `file://` URI ending in `/`.
fn directory_uri(dir: &Path) -> Option<String> {
    let text = dir.to_str()?.trim_end_matches('/');
    text.starts_with('/')
        .then(|| format!("file://{}/", encode_path(text)))
}

/// A path with the characters a URI may not hold percent-encoded (`/` kept).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_origins_give_the_compiling_function() {
        assert_eq!(
            parse_origin("compileSchema (/app/node_modules/ajv/dist/compile/index.js:33:23)"),
            Some((
                "/app/node_modules/ajv/dist/compile/index.js".to_string(),
                33,
                23
            ))
        );
        assert_eq!(parse_origin("compile"), None);
    }

    #[test]
    fn files_below_the_directory_are_relative() {
        let cwd = Path::new("/work/app");
        let here = physical_location("file:///work/app/src/a b.js", 3, 9, "f", Some(cwd));
        assert_eq!(
            here["physicalLocation"]["artifactLocation"],
            json!({"uri": "src/a%20b.js", "uriBaseId": SRCROOT})
        );
        let elsewhere = physical_location("/opt/lib.js", 1, 1, "f", Some(cwd));
        assert_eq!(
            elsewhere["physicalLocation"]["artifactLocation"],
            json!({"uri": "file:///opt/lib.js"})
        );
        let url = physical_location("http://localhost:8080/main.js", 1, 1, "f", Some(cwd));
        assert_eq!(
            url["physicalLocation"]["artifactLocation"]["uri"],
            "http://localhost:8080/main.js"
        );
        assert_eq!(directory_uri(cwd).as_deref(), Some("file:///work/app/"));
    }
}
