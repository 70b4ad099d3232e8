//! The report a person reads (issue 15): paths for every listed cluster, sites, noise left
//! out, fitted to a width, arguments that make sense. One test per promise, on the committed
//! Node 20 fixture pair and series.

use serde_json::Value;
use support::{heapdiff, json_report, series, snapshot, stdout_of};

mod support;

fn pair() -> [std::path::PathBuf; 2] {
    [snapshot("node20-base"), snapshot("node20-late")]
}

/// The table report of the pair with `args`, which must succeed.
fn table(args: &[&str]) -> String {
    stdout_of(
        heapdiff()
            .args(["--source-root", "/work/main"])
            .args(args)
            .args(pair()),
    )
}

/// The clusters table: `(first cell line, lines of its Cluster cell)` per row.
fn cluster_rows(text: &str) -> Vec<Vec<String>> {
    let start = text.find("Clusters of new objects").unwrap();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for line in text[start..].lines().skip(4) {
        if line.starts_with('└') {
            break;
        }
        let cells: Vec<&str> = line.split('┆').map(str::trim).collect();
        let rank = cells[0].trim_start_matches('│').trim();
        if !rank.is_empty() {
            rows.push(Vec::new());
        }
        rows.last_mut().unwrap().push(cells[2].to_string());
    }
    rows
}

#[test]
fn every_listed_cluster_has_a_path_unless_paths_are_limited() {
    let text = table(&[]);
    let rows = cluster_rows(&text);
    assert!(rows.len() >= 10);
    for row in &rows {
        assert!(
            row.iter().any(|l| l.starts_with("held by ")),
            "no path: {row:?}"
        );
    }
    let text = table(&["--paths", "2"]);
    let rows = cluster_rows(&text);
    let with: Vec<bool> = rows
        .iter()
        .map(|r| r.iter().any(|l| l.starts_with("held by ")))
        .collect();
    assert!(with[..2].iter().all(|&w| w) && with[2..].iter().all(|&w| !w));
    assert!(text.contains("paths: .x property, ->x variable of a scope"));
}

#[test]
fn short_paths_leave_internals_out_and_json_keeps_them() {
    let r = json_report(&pair());
    let validators = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"].as_str().unwrap().starts_with("validate*"))
        .unwrap();
    let p = &validators["paths"][0];
    assert_eq!(
        p["path"],
        "global .state → Object .validators → Map {table} → (array) [] → Function validate*"
    );
    assert_eq!(
        p["short"],
        "global .state → Object .validators → Map [] → Function validate*"
    );
}

#[test]
fn one_cluster_in_full_by_rank_or_label() {
    let text = table(&["--cluster", "validate"]);
    assert!(text.contains("Cluster #"), "{text}");
    assert!(text.contains("created by compileValidator (fixtures/scripts/leak.js:44:26)"));
    assert!(text.contains("example ids (DevTools' search): @"));
    assert!(text.contains(
        "full: global .state → Object .validators → Map {table} → (array) [] → Function validate*"
    ));
    assert!(!text.contains("New objects by class"));
    let by_rank = table(&["--cluster", "1"]);
    assert!(by_rank.contains("Cluster #1 "));
    let out = heapdiff()
        .args(["--cluster", "999"])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cluster has that rank or label"));
}

#[test]
fn object_clusters_have_their_constructor_site() {
    let r = json_report(&pair());
    let session = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class_name"] == "Session")
        .unwrap();
    assert_eq!(session["site"]["function"], "Session");
    assert!(
        session["site"]["script"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/scripts/leak.js")
    );
    // 1-based in JSON as in text and DevTools' links.
    let line = session["site"]["line"].as_u64().unwrap();
    let text = table(&[]);
    assert!(text.contains(&format!(
        "constructor Session @ fixtures/scripts/leak.js:{line}:"
    )));
}

#[test]
fn scripts_are_relative_in_text_and_full_in_json() {
    let text = table(&[]);
    assert!(text.contains("listener @ fixtures/scripts/leak.js:54:35"));
    assert!(!text.contains("/work/main/fixtures"));
    let r = json_report(&pair());
    let labels: Vec<&str> = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l.contains("/fixtures/scripts/leak.js:54:35"))
    );
}

#[test]
fn small_clusters_are_folded_and_min_size_shows_them() {
    // The fixture's smallest cluster retains 3.2 kB: above the default of 1 kB.
    assert!(!table(&[]).contains("small cluster"));
    let default = table(&["--top", "100", "--min-size", "10kB"]);
    let all = table(&["--top", "100", "--min-size", "0"]);
    let small = default
        .lines()
        .find(|l| l.contains("small cluster"))
        .unwrap_or_else(|| panic!("{default}"));
    assert!(small.contains("under 10.0 kB retained"), "{small}");
    assert!(cluster_rows(&all).len() > cluster_rows(&default).len());
    let r = json_report(&pair());
    assert_eq!(
        cluster_rows(&all).len(),
        r["clusters"].as_array().unwrap().len()
    );
}

#[test]
fn ignore_leaves_out_classes_clusters_and_edges() {
    let out = heapdiff()
        .args(["--json", "--ignore", "lru", "--ignore", "Session"])
        .args(pair())
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels: Vec<&str> = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(
        !labels
            .iter()
            .any(|l| l.starts_with("Session") || *l == "{key}")
    );
    assert!(labels.iter().any(|l| l.starts_with("validate*")));
    assert!(
        r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "Session")
    );
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["holder"]["path"].as_str().unwrap().contains(".lru"))
    );
    assert!(r["ignored"]["clusters"].as_u64().unwrap() >= 2);
    let text = table(&["--ignore", "lru"]);
    assert!(
        text.contains("ignored (--ignore): 1 finding, 1 cluster, 0 classes"),
        "{text}"
    );
}

#[test]
fn the_snapshots_own_file_name_is_left_out() {
    let text = table(&[]);
    assert!(text.contains("left out of the clusters: 1 object created by writing the snapshot"));
    let r = json_report(&pair());
    assert_eq!(r["between"]["snapshot_writer_objects"], 1);
    assert!(
        r["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["label"].as_str().unwrap().contains(".heapsnapshot"))
    );
}

#[test]
fn overlapping_clusters_are_marked() {
    let r = json_report(&pair());
    let clusters = r["clusters"].as_array().unwrap();
    let payload = clusters
        .iter()
        .find(|c| c["label"].as_str().unwrap().starts_with("readPayload"))
        .unwrap();
    let inner = payload["contains"].as_array().unwrap();
    assert!(!inner.is_empty());
    let buffers = &clusters[inner[0].as_u64().unwrap() as usize - 1];
    assert_eq!(buffers["inside_of"], payload["rank"]);
    assert!(table(&[]).contains(&format!(
        "readPayload @ fixtures/scripts/leak.js:62:36  ⊃ #{}",
        inner[0]
    )));
}

#[test]
fn lockstep_says_operations_and_joins_only_connected_classes() {
    let text = table(&[]);
    assert!(text.contains(
        "likely allocated together: 100 operations, each allocating 1 ArrayBuffer, 1 system / \
         JSArrayBufferData, 1 Buffer"
    ));
    // The LRU's 50 keys and the 100 buffers are held apart: not one group.
    assert!(
        !text
            .lines()
            .any(|l| l.contains("{key}") && l.contains("ArrayBuffer"))
    );
}

#[test]
fn width_and_columns_fit_piped_output_without_breaking_words() {
    let fitted = table(&["--width", "80"]);
    let out = heapdiff()
        .env("COLUMNS", "80")
        .args(["--source-root", "/work/main"])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), fitted);
    for line in fitted.lines() {
        assert!(line.chars().count() <= 80, "{line}");
    }
    // Every word of the wide report is whole in the narrow one.
    let wide = table(&["--width", "200"]);
    let words = |t: &str| {
        let mut w: Vec<String> = t
            .split(|c: char| c.is_whitespace() || "│┆┌┐└┘├┤┬┴┼─═╞╡╪".contains(c))
            .filter(|w| !w.is_empty())
            // A long path may break after a `/`.
            .flat_map(|w| w.split_inclusive('/'))
            .map(str::to_string)
            .collect();
        w.sort();
        w
    };
    assert_eq!(words(&fitted), words(&wide));
    let bad = heapdiff()
        .args(["--width", "10"])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn numbers_have_one_style() {
    let out = heapdiff()
        .args([
            "--fail-if",
            "new-retained>500kB",
            "--fail-if",
            "new-count>10000",
        ])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "budget new-retained>500kB: EXCEEDED, actual 629 kB, limit 500 kB, 129 kB over"
        ),
        "{text}"
    );
    assert!(text.contains("budget new-count>10000: ok, actual 9,017, limit 10,000"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(actual 629 kB, limit 500 kB)"));
    assert!(text.contains("heap 3.6 MB (file 936 kB)"));
    let summary = heapdiff()
        .args(["summary"])
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    let summary = String::from_utf8(summary.stdout).unwrap();
    assert!(summary.contains("39,501 nodes, 179,151 edges, heap 2.9 MB (2,948,382 bytes)"));
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    let out = heapdiff().args(&s).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(".0 │"), "series per step as counts: {text}");
}

#[test]
fn global_options_work_before_and_after_a_subcommand() {
    for args in [
        vec!["--json", "summary"],
        vec!["summary", "--json"],
        vec!["--format", "json", "summary"],
        vec!["summary", "--format", "json", "--top", "3"],
    ] {
        let out = heapdiff()
            .args(&args)
            .arg(snapshot("node20-base"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["command"], "summary");
    }
    let out = heapdiff().args(["--top", "5", "man"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // summary writes to -o and renders markdown.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    let out = heapdiff()
        .args(["summary", "--format", "markdown", "-o"])
        .arg(&path)
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("### heapdiff summary")
    );
}

#[test]
fn contradictory_or_ignored_options_are_errors() {
    for args in [
        vec!["--series"],
        vec!["--json", "--format", "markdown"],
        vec!["--cluster", "1", "--json"],
        vec!["--cluster", ""],
        vec!["--width", "20"],
        vec!["--paths", "x"],
    ] {
        let out = heapdiff().args(&args).args(pair()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    let out = heapdiff()
        .args(["summary", "--compare"])
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn series_reports_show_where_growing_clusters_are_held() {
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    let out = heapdiff().args(["--top", "5"]).args(&s).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let section = text
        .split("Where the growing clusters are held")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(section.contains("↑ Leaky {name}"), "{section}");
    assert!(
        section.contains("held by 150/150  global .state → Object .leaks → Array [] → Leaky"),
        "{section}"
    );
    let r = json_report(&s);
    let leaky = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["growing"] == true)
        .unwrap();
    assert_eq!(leaky["paths_sampled"], 150);
    assert_eq!(
        leaky["paths"][0]["path"],
        "global .state → Object .leaks → Array [] → Leaky"
    );
}

#[test]
fn markdown_does_not_depend_on_the_width() {
    let render = |width: &str| {
        let out = heapdiff()
            .args([
                "--format",
                "markdown",
                "--source-root",
                "/work/main",
                "--width",
                width,
            ])
            .args(pair())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let narrow = render("80");
    assert_eq!(narrow, render("200"));
    assert!(narrow.contains("<br>held by `"));
}
