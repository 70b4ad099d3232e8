//! Every position in every JSON report counts from 1 (README, "JSON"): each field named `line`
//! or `column`, at any depth, of a pair, a pair `--group-by stack`, a series and `summary
//! --group-by stack`, is at least 1; only an allocation frame V8 knows no place of (the stack's
//! root) has `null`. Known places equal those of the code in the fixtures' own scripts, found
//! by their text, not copied from an output.

mod support;

use std::ffi::OsString;

use serde_json::Value;
use support::{heapdiff, series, snapshot, stdout_of};

/// A report's JSON, source maps as this machine has them (mapped sites keep `generated`).
fn json_of(args: &[OsString]) -> Value {
    let text = stdout_of(heapdiff().args(["--json", "--quiet"]).args(args));
    serde_json::from_str(&text).unwrap()
}

/// Every `line` and `column` field under `v`: its JSON path, its value, and whether the
/// object holding it is an allocation frame (it has a `script_id`).
fn positions(v: &Value, path: &str, out: &mut Vec<(String, Value, bool)>) {
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                let inner = format!("{path}.{key}");
                if key == "line" || key == "column" {
                    out.push((inner.clone(), value.clone(), map.contains_key("script_id")));
                }
                positions(value, &inner, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                positions(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The 1-based line and column where `needle` starts in the script `file`.
fn place_in(file: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(file).unwrap();
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} is not in {file}"));
    let column = line.find(needle).unwrap();
    (i as u64 + 1, column as u64 + 1)
}

/// Where V8 places a function: its parameter list, the `(` after `function NAME`.
fn function_place(file: &str, name: &str) -> (u64, u64) {
    let needle = format!("function {name}(");
    let (line, column) = place_in(file, &needle);
    (line, column + needle.len() as u64 - 1)
}

fn line_and_column(v: &Value) -> (u64, u64) {
    (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap())
}

#[test]
fn every_json_position_counts_from_one() {
    let p = |name: &str| snapshot(name).into_os_string();
    let s = |name: &str| series(name).into_os_string();
    let stack = || -> Vec<OsString> { vec!["--group-by".into(), "stack".into()] };
    let reports: Vec<(&str, Vec<OsString>)> = vec![
        ("pair", vec![p("node20-base"), p("node20-late")]),
        ("tracked pair", vec![p("tracked-base"), p("tracked-late")]),
        (
            "tracked pair --group-by stack",
            [vec![p("tracked-base"), p("tracked-late")], stack()].concat(),
        ),
        ("series", vec![s("s1"), s("s2"), s("s3"), s("s4")]),
        (
            "summary --group-by stack",
            [vec!["summary".into(), p("tracked-late")], stack()].concat(),
        ),
    ];
    for (name, args) in reports {
        let report = json_of(&args);
        assert_eq!(report["schema_version"], 2, "{name}");
        let mut found = Vec::new();
        positions(&report, "", &mut found);
        assert!(found.len() > 10, "{name}: {} positions", found.len());
        for (path, value, in_frame) in &found {
            match value {
                Value::Null => assert!(in_frame, "{name}: {path} is null outside a frame"),
                v => assert!(v.as_u64().is_some_and(|n| n >= 1), "{name}: {path} = {v}"),
            }
        }
    }
}

#[test]
fn known_positions_are_those_of_the_scripts_text() {
    // A cluster's site: the `listener` closures of fixtures/scripts/leak.js.
    let pair = json_of(&[
        snapshot("node20-base").into_os_string(),
        snapshot("node20-late").into_os_string(),
    ]);
    let listeners = pair["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["site"]["function"] == "listener")
        .expect("a cluster of listener closures");
    assert!(
        listeners["site"]["script"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/scripts/leak.js")
    );
    assert_eq!(
        line_and_column(&listeners["site"]),
        function_place("fixtures/scripts/leak.js", "listener")
    );

    // An allocation frame: the handler of fixtures/scripts/tracked.js that compiles the
    // leaking validators, as `allocated_by` and as a frame of their stacks.
    let tracked = json_of(&[
        "--no-source-maps".into(),
        snapshot("tracked-base").into_os_string(),
        snapshot("tracked-late").into_os_string(),
    ]);
    let handler = function_place("fixtures/scripts/tracked.js", "handleOrder");
    let allocation = &tracked["clusters"][0]["allocation"];
    assert_eq!(allocation["allocated_by"]["function"], "handleOrder");
    assert_eq!(line_and_column(&allocation["allocated_by"]), handler);
    let frames = allocation["stacks"][0]["frames"].as_array().unwrap();
    let frame = frames
        .iter()
        .find(|f| f["function"] == "handleOrder")
        .expect("the handler is on the validators' stack");
    assert_eq!(line_and_column(frame), handler);

    // The text says the same places.
    let text = stdout_of(heapdiff().args([
        "--no-source-maps",
        "--source-root",
        "/work/main",
        "--width",
        "200",
        snapshot("tracked-base").to_str().unwrap(),
        snapshot("tracked-late").to_str().unwrap(),
    ]));
    let place = format!(
        "handleOrder (fixtures/scripts/tracked.js:{}:{})",
        handler.0, handler.1
    );
    assert!(text.contains(&place), "{place} not in\n{text}");
}
