//! The leak corpus (`corpus/`): real leak patterns on real npm libraries, each a Node process
//! or a Chromium page with three decoys (a full LRU cache that churns, temporary garbage, a
//! one-time lazy initialisation after the first snapshot) and four snapshots. The snapshots are
//! generated (`corpus/generate.sh`, into `bench-data/corpus/`) when missing; this test needs
//! Node, the npm registry and Debian's chromium the first time.
//!
//! For every scenario and mode it runs the binary with `--json` and checks the first finding
//! against the scenario's `truth.json`; it prints the score table and asserts the thresholds
//! of issue 21 (scaled to the corpus size).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{heapdiff, json_report, stdout_of};

mod support;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("CORPUS_DIR").map_or_else(|| root().join("bench-data/corpus"), PathBuf::from)
}

/// The scenarios the corpus defines (`corpus/node/*.js` but the harness, `corpus/browser/*.html`).
fn scenarios() -> Vec<String> {
    let mut names = Vec::new();
    for (dir, ext) in [("corpus/node", "js"), ("corpus/browser", "html")] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == ext) {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                if name != "harness" {
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    names
}

/// Generates the corpus once per test binary: tests that need it wait for the first.
fn ensure_generated(names: &[String]) {
    static GENERATED: std::sync::Once = std::sync::Once::new();
    GENERATED.call_once(|| generate_if_missing(names));
}

fn generate_if_missing(names: &[String]) {
    let missing = names
        .iter()
        .any(|n| !corpus_dir().join(n).join("truth.json").is_file());
    if missing {
        let status = Command::new("bash")
            .arg(root().join("corpus/generate.sh"))
            .env("CORPUS_DIR", corpus_dir())
            .status()
            .expect("running corpus/generate.sh (needs bash, node and npm)");
        assert!(status.success(), "corpus/generate.sh failed");
    }
}

/// Everything a finding says, for matching against a scenario's markers.
fn finding_text(f: &Value) -> String {
    let mut text = vec![
        f["label"].as_str().unwrap_or("").to_string(),
        f["holder"]["class"].as_str().unwrap_or("").to_string(),
        f["holder"]["path"].as_str().unwrap_or("").to_string(),
        f["holder"]["inside"].as_str().unwrap_or("").to_string(),
    ];
    for p in f["parts"].as_array().into_iter().flatten() {
        text.push(p["label"].as_str().unwrap_or("").to_string());
    }
    text.join(" ")
}

fn mentions(text: &str, markers: &Value) -> bool {
    markers
        .as_array()
        .unwrap()
        .iter()
        .any(|m| text.contains(m.as_str().unwrap()))
}

/// Is a decoy (its `markers`) flagged as growing: a growing finding about it (and not about
/// the leak), or a growing class or cluster trend named after it?
fn flags_growing(report: &Value, markers: &Value, leak: &Value) -> bool {
    let findings = report["findings"].as_array().unwrap();
    let by_finding = findings.iter().any(|f| {
        let text = finding_text(f);
        f["growing"] == true && mentions(&text, markers) && !mentions(&text, leak)
    });
    let by_trend =
        ["classes", "clusters"].iter().any(|list| {
            report[*list].as_array().unwrap().iter().any(|t| {
                t["growing"] == true && mentions(t["name"].as_str().unwrap_or(""), markers)
            })
        });
    by_finding || by_trend
}

#[derive(Default)]
struct Score {
    scenarios: usize,
    four_first: usize,
    four_cache: usize,
    four_init: usize,
    three_first: usize,
    three_cache: usize,
    three_init: usize,
    two_top3: usize,
    two_one_row: usize,
    two_first: usize,
    in_flight_first: usize,
    failures: Vec<String>,
}

#[test]
fn the_first_finding_is_the_leak() {
    let names = scenarios();
    assert!(
        names.len() >= 10,
        "the corpus has {} scenarios",
        names.len()
    );
    ensure_generated(&names);
    let mut score = Score::default();
    for name in &names {
        let dir = corpus_dir().join(name);
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap())
                .unwrap();
        let s: Vec<PathBuf> = (1..=4)
            .map(|i| dir.join(format!("s{i}.heapsnapshot")))
            .collect();
        let (leak, cache, init) = (&truth["leak"], &truth["cache"], &truth["init"]);
        score.scenarios += 1;
        for (files, first, cache_flag, init_flag, mode) in [
            (
                &s[..],
                &mut score.four_first,
                &mut score.four_cache,
                &mut score.four_init,
                "4",
            ),
            (
                &s[..3],
                &mut score.three_first,
                &mut score.three_cache,
                &mut score.three_init,
                "3",
            ),
        ] {
            let r = json_report(files);
            let f0 = &r["findings"][0];
            if f0["growing"] == true && mentions(&finding_text(f0), leak) {
                *first += 1;
            } else {
                score.failures.push(format!(
                    "{name} ({mode} snapshots): first finding {}",
                    f0["label"]
                ));
            }
            *cache_flag += usize::from(flags_growing(&r, cache, leak));
            *init_flag += usize::from(flags_growing(&r, init, leak));
        }
        let r = json_report(&[s[0].clone(), s[1].clone()]);
        let findings = r["findings"].as_array().unwrap();
        score.in_flight_first += usize::from(
            findings
                .first()
                .is_some_and(|f| f["suspicion"] == "in-flight"),
        );
        let leak_rows = findings
            .iter()
            .take(10)
            .filter(|f| mentions(&finding_text(f), leak))
            .count();
        score.two_top3 += usize::from(
            findings
                .iter()
                .take(3)
                .any(|f| mentions(&finding_text(f), leak)),
        );
        score.two_one_row += usize::from(leak_rows == 1);
        if findings
            .first()
            .is_some_and(|f| mentions(&finding_text(f), leak))
        {
            score.two_first += 1;
        } else {
            score.failures.push(format!(
                "{name} (2 snapshots): first finding {}",
                findings[0]["label"]
            ));
        }
    }
    let n = score.scenarios;
    eprintln!("corpus: {n} scenarios");
    eprintln!("| | heapdiff |\n| --- | ---: |");
    for (what, value) in [
        (
            "4 snapshots: the first finding is the leak (growing)",
            score.four_first,
        ),
        (
            "4 snapshots: the bounded cache flagged as growing",
            score.four_cache,
        ),
        (
            "4 snapshots: the one-time init flagged as growing",
            score.four_init,
        ),
        (
            "3 snapshots: the first finding is the leak (growing)",
            score.three_first,
        ),
        (
            "3 snapshots: the bounded cache flagged as growing",
            score.three_cache,
        ),
        (
            "3 snapshots: the one-time init flagged as growing",
            score.three_init,
        ),
        (
            "2 snapshots: the leak among the first 3 findings",
            score.two_top3,
        ),
        ("2 snapshots: the leak is one row", score.two_one_row),
        (
            "2 snapshots: the first finding is the leak",
            score.two_first,
        ),
    ] {
        eprintln!("| {what} | {value}/{n} |");
    }
    for f in &score.failures {
        eprintln!("miss: {f}");
    }
    // Issue 27's targets: every leak first and growing with three or four snapshots, among the
    // first three and one finding with two, no decoy growing.
    assert_eq!(score.four_first, n, "4 snapshots: {}/{n}", score.four_first);
    assert_eq!(
        score.three_first, n,
        "3 snapshots: {}/{n}",
        score.three_first
    );
    assert_eq!(
        score.four_cache + score.three_cache,
        0,
        "a cache flagged as growing"
    );
    assert_eq!(
        score.four_init + score.three_init,
        0,
        "an init flagged as growing"
    );
    assert_eq!(score.two_top3, n, "2 snapshots: leak not among the first 3");
    assert_eq!(
        score.two_one_row, n,
        "2 snapshots: one row {}/{n}",
        score.two_one_row
    );
    // node-cache-lazy and agent-per-request: with one step a lazily created cache and an
    // Agent per request rank after a larger one-time fill.
    assert!(
        score.two_first + 2 >= n,
        "2 snapshots: first {}/{n}",
        score.two_first
    );
    assert_eq!(score.in_flight_first, 0, "requests in flight ranked first");
}

/// The parts of a snapshot file this test reads on its own (not through heapdiff).
#[derive(serde::Deserialize)]
struct RawSnapshot {
    snapshot: RawMeta,
    nodes: Vec<u64>,
    strings: Vec<String>,
    #[serde(default)]
    locations: Vec<u64>,
}

/// `text` with every `\uD800`–`\uDFFF` escape made `\uFFFD`: Chromium writes strings
/// with lone surrogates, which serde_json refuses (a pair becomes two replacement characters,
/// which no function name this test compares has).
fn without_surrogate_escapes(mut text: Vec<u8>) -> Vec<u8> {
    let mut backslashes = 0;
    for i in 0..text.len() {
        if text[i] == b'\\' {
            backslashes += 1;
            continue;
        }
        let escaped = backslashes % 2 == 1;
        backslashes = 0;
        if escaped
            && text[i] == b'u'
            && matches!(text.get(i + 1), Some(b'd' | b'D'))
            && matches!(
                text.get(i + 2),
                Some(b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
            )
            && i + 4 < text.len()
        {
            text[i + 1..i + 5].copy_from_slice(b"fffd");
        }
    }
    text
}

#[derive(serde::Deserialize)]
struct RawMeta {
    meta: Value,
}

impl RawSnapshot {
    fn read(path: &Path) -> RawSnapshot {
        let text = without_surrogate_escapes(std::fs::read(path).unwrap());
        serde_json::from_slice(&text).unwrap()
    }

    fn field(&self, name: &str) -> usize {
        let fields = self.snapshot.meta["node_fields"].as_array().unwrap();
        fields.iter().position(|f| f == name).unwrap()
    }

    /// The newest JavaScript object id.
    fn max_id(&self) -> u64 {
        let width = self.snapshot.meta["node_fields"].as_array().unwrap().len();
        let id = self.field("id");
        // JavaScript objects have odd ids; Node gives embedder objects addresses.
        self.nodes
            .chunks(width)
            .map(|n| n[id])
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }

    /// `(function name, line, column)` (1-based) of every closure with an id above `above`,
    /// each with how many there are; numbered names (`validate12`) end in `*`.
    fn new_closure_sites(&self, above: u64) -> std::collections::HashMap<(String, u64, u64), u64> {
        let width = self.snapshot.meta["node_fields"].as_array().unwrap().len();
        let (ty, name, id) = (self.field("type"), self.field("name"), self.field("id"));
        let closure = self.snapshot.meta["node_types"][0]
            .as_array()
            .unwrap()
            .iter()
            .position(|t| t == "closure")
            .unwrap() as u64;
        // Chromium's locations have a `script_object_index` field that Node's lack.
        let fields = self.snapshot.meta["location_fields"].as_array().unwrap();
        let at = |name: &str| fields.iter().position(|f| f == name).unwrap();
        let (object_at, line_at, column_at) = (at("object_index"), at("line"), at("column"));
        let mut sites = std::collections::HashMap::new();
        for l in self.locations.chunks(fields.len()) {
            let (first, line, column) = (l[object_at] as usize, l[line_at], l[column_at]);
            let node = &self.nodes[first..first + width];
            if node[ty] != closure || node[id] <= above {
                continue;
            }
            let raw = &self.strings[node[name] as usize];
            let stem = raw.trim_end_matches(|c: char| c.is_ascii_digit());
            let (function, column) = if raw.is_empty() {
                ("(anonymous)".to_string(), column + 1)
            } else if stem.len() < raw.len() && !stem.is_empty() {
                // heapdiff shows numbered names where the name starts.
                (
                    format!("{stem}*"),
                    column + 1 - raw.encode_utf16().count() as u64,
                )
            } else {
                (raw.clone(), column + 1)
            };
            *sites.entry((function, line + 1, column)).or_default() += 1;
        }
        sites
    }
}

/// Every closure site a finding's part names is the site of every closure it counts: the parts
/// labelled `Function F @ SCRIPT:L:C` never count more than the new closures of function F
/// defined at L:C, read from the snapshot itself (when parts took another closure's site, every
/// anonymous part of a report named the first one's).
#[test]
fn every_part_site_counts_only_its_own_closures() {
    let names = scenarios();
    ensure_generated(&names);
    let mut checked = 0;
    for name in &names {
        let dir = corpus_dir().join(name);
        let (s1, s2) = (dir.join("s1.heapsnapshot"), dir.join("s2.heapsnapshot"));
        // The places V8 wrote, as the raw snapshot has them (libraries' maps are not read).
        let text = stdout_of(
            heapdiff()
                .args(["--json", "--quiet", "--no-source-maps"])
                .args([&s1, &s2]),
        );
        let r: Value = serde_json::from_str(&text).unwrap();
        let above = RawSnapshot::read(&s1).max_id();
        let sites = RawSnapshot::read(&s2).new_closure_sites(above);
        let mut parts: std::collections::HashMap<(String, u64, u64), u64> = Default::default();
        for f in r["findings"].as_array().unwrap() {
            for p in f["parts"].as_array().unwrap() {
                let label = p["label"].as_str().unwrap();
                let Some(site) = label.strip_prefix("Function ") else {
                    continue;
                };
                let site = site.split(", created by ").next().unwrap();
                // Built-ins have no place (`native_bind [native code]`).
                let Some((function, place)) = site.rsplit_once(" @ ") else {
                    continue;
                };
                let mut numbers = place.rsplitn(3, ':');
                let column: u64 = numbers.next().unwrap().parse().unwrap();
                let line: u64 = numbers.next().unwrap().parse().unwrap();
                *parts
                    .entry((function.to_string(), line, column))
                    .or_default() += p["count"].as_u64().unwrap();
            }
        }
        for (site, count) in parts {
            if site.0.contains(" @ ") || site.1 == 1 && site.2 == 1 {
                continue; // a site at 1:1 cannot be told from a missing location
            }
            let members = sites.get(&site).copied().unwrap_or(0);
            assert!(
                count <= members,
                "{name}: parts labelled {site:?} count {count} closures; the snapshot has {members} new ones there"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} closure parts checked");
}

/// Issue 15's first screen, on leaky HTTP servers of the corpus (express with express-session,
/// and the request handler that compiles an AJV schema per call): in the first 40 lines at
/// width 120, every cluster row that starts there names where it is held, and scripts in
/// `node_modules` are shown by package.
#[test]
fn the_first_screen_shows_each_cluster_with_a_site_and_a_path() {
    let names = scenarios();
    ensure_generated(&names);
    for name in ["express-session", "ajv-compile", "morgan-audit-log"] {
        // As a user types them, relative to the checkout (where heapdiff runs): the screen
        // must not depend on where the checkout is.
        let corpus = corpus_dir();
        let dir = corpus.strip_prefix(root()).unwrap_or(&corpus).join(name);
        let out = support::heapdiff()
            .args(["--width", "120", "--quiet"])
            .arg(dir.join("s1.heapsnapshot"))
            .arg(dir.join("s2.heapsnapshot"))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let screen: Vec<&str> = text.lines().take(40).collect();
        let start = screen
            .iter()
            .position(|l| *l == "Clusters of new objects")
            .unwrap_or_else(|| panic!("{name}: no clusters on the first screen:\n{text}"));
        // Every row whose cell ends on the screen (the next row or the table's end is there).
        let rank_of = |l: &str| {
            l.split('┆')
                .next()
                .unwrap_or("")
                .trim_start_matches('│')
                .trim()
                .to_string()
        };
        let body = &screen[start + 4..];
        let starts: Vec<usize> = (0..body.len())
            .filter(|&i| body[i].starts_with('│') && !rank_of(body[i]).is_empty())
            .collect();
        let end = body.iter().position(|l| l.starts_with('└'));
        let mut rows = 0;
        for (k, &first) in starts.iter().enumerate() {
            let Some(last) = starts.get(k + 1).copied().or(end) else {
                break;
            };
            rows += 1;
            let cell: Vec<&str> = body[first..last]
                .iter()
                .map(|l| l.split('┆').nth(2).unwrap_or(""))
                .collect();
            assert!(
                cell.iter().any(|l| l.contains("held by ")),
                "{name}: {}\n{text}",
                body[first]
            );
        }
        assert!(
            rows >= 1,
            "{name}: no cluster row on the first screen\n{text}"
        );
        if name == "ajv-compile" {
            assert!(
                // ajv ships its maps: the compiler is named in its TypeScript source.
                text.contains("created by compileSchema (ajv/lib/compile/index.ts:"),
                "{text}"
            );
        }
    }
}

/// A budget on a name that is no Summary class exits 2 on every scenario's snapshots, with one
/// line naming each (issue 28): a class lower-cased, a misspelling, and names of functions.
#[test]
fn budgets_on_names_that_are_no_class_cannot_be_checked() {
    let names = scenarios();
    ensure_generated(&names);
    let bad = ["timeout", "setTimeout", "listener", "object", "Objcet"];
    for name in &names {
        let dir = corpus_dir().join(name);
        let mut cmd = heapdiff();
        cmd.arg(dir.join("s1.heapsnapshot"))
            .arg(dir.join("s2.heapsnapshot"))
            .arg("--quiet");
        for b in bad {
            cmd.args(["--fail-if", &format!("class:{b}.count>0")]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: no report");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        for b in bad {
            assert!(
                stderr.contains(&format!("no class \"{b}\"")),
                "{name}: {stderr}"
            );
        }
        assert!(
            stderr.contains("did you mean \"Object\"?"),
            "{name}: {stderr}"
        );
    }
}

/// `--group-by package` on a series names first the library the leak lives in: the package
/// whose objects hold the growing finding (Ajv's cache, an emitter's listener list, lodash's
/// memo cache), even when the program's own code made what it holds.
#[test]
fn a_library_leak_is_its_package_first() {
    let names = scenarios();
    ensure_generated(&names);
    let cases = [
        ("ajv-compile", "ajv"),
        ("axios-interceptors", "axios"),
        ("chartjs-instances", "chart.js"),
        ("cls-hooked-contexts", "cls-hooked"),
        ("dataloader-global", "dataloader"),
        ("emitter-listeners", "eventemitter3"),
        ("express-session", "express-session"),
        ("lodash-memoize", "lodash"),
        ("mongoose-models", "mongoose"),
        ("node-schedule-jobs", "node-schedule"),
        ("prom-client-labels", "prom-client"),
        ("rxjs-subscriptions", "rxjs"),
        ("winston-loggers", "winston"),
    ];
    for (name, package) in cases {
        let dir = corpus_dir().join(name);
        let files: Vec<PathBuf> = (1..=4)
            .map(|i| dir.join(format!("s{i}.heapsnapshot")))
            .collect();
        let text = stdout_of(
            heapdiff()
                .args(["--json", "--quiet", "--group-by", "package"])
                .args(&files),
        );
        let report: Value = serde_json::from_str(&text).unwrap();
        let first = &report["packages"][0];
        assert_eq!(first["package"], package, "{name}: {first}");
    }
}
