//! Allocation stacks on the leak corpus: every Node scenario run again under
//! `--track-heap-objects` (`TRACKED=1 corpus/generate.sh`, into `bench-data/corpus-tracked/`,
//! generated when missing). For each, the first cluster of `heapdiff s2 s4` (the first
//! finding's, after the lazy initialisation) must be "allocated by" a function of the
//! scenario's own script: the code that calls the library, not the library (ajv, axios,
//! express-session, handlebars, lodash, rxjs, winston, …) nor the corpus harness.

use std::path::{Path, PathBuf};
use std::process::Command;

use support::json_report;

mod support;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("TRACKED_CORPUS_DIR")
        .map_or_else(|| root().join("bench-data/corpus-tracked"), PathBuf::from)
}

/// The Node scenarios (`corpus/node/*.js` but the harness).
fn node_scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("corpus/node"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem()?.to_string_lossy().into_owned();
            (path.extension().is_some_and(|x| x == "js") && name != "harness").then_some(name)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_leak_is_allocated_by_the_scenarios_own_code() {
    let names = node_scenarios();
    if names
        .iter()
        .any(|n| !corpus_dir().join(n).join("truth.json").is_file())
    {
        let status = Command::new("bash")
            .arg(root().join("corpus/generate.sh"))
            .env("TRACKED", "1")
            .env("CORPUS_DIR", corpus_dir())
            .status()
            .expect("running corpus/generate.sh (needs bash, node and npm)");
        assert!(status.success(), "TRACKED=1 corpus/generate.sh failed");
    }
    let mut passed = 0;
    let mut lines = Vec::new();
    for name in &names {
        let dir = corpus_dir().join(name);
        let report = json_report(&[dir.join("s2.heapsnapshot"), dir.join("s4.heapsnapshot")]);
        let cluster = &report["clusters"][0];
        let by = &cluster["allocation"]["allocated_by"];
        let script = by["script"].as_str().unwrap_or("");
        let own = script.ends_with(&format!("corpus/node/{name}.js"));
        passed += own as usize;
        lines.push(format!(
            "{:<22} {:<5} {:<45} allocated by {} ({}:{}) {}/{}",
            name,
            if own { "ok" } else { "MISS" },
            cluster["label"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(45)
                .collect::<String>(),
            by["function"].as_str().unwrap_or("-"),
            script.rsplit('/').next().unwrap_or(""),
            by["line"],
            by["count"],
            cluster["count"]
        ));
    }
    println!("{}", lines.join("\n"));
    println!(
        "allocated by the scenario's own code: {passed}/{}",
        names.len()
    );
    assert!(
        names.len() >= 10,
        "the corpus has {} Node scenarios",
        names.len()
    );
    assert!(
        passed * 10 >= names.len() * 9,
        "{passed}/{} scenarios:\n{}",
        names.len(),
        lines.join("\n")
    );
}
