//! The GitHub Action (action.yml, action/run.mjs): the entry script run by Node with the
//! environment a composite action's step gets (INPUT_* as action.yml passes them, a temporary
//! GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_WORKSPACE) and this build of heapdiff as
//! HEAPDIFF_BIN, on the committed fixture snapshots; plus a stand-in heapdiff that writes a
//! crafted report, for the escaping and site rules no fixture exercises.
//!
//! `--format sarif`, `--baseline` and `--write-baseline` are checked against the real binary
//! only when its `--help` lists them; until then those tests check that asking for them makes
//! the action exit 2, never 0.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{heapdiff, snapshot, stdout_of};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What one run of the entry script left behind.
struct Step {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
    _temp: tempfile::TempDir,
}

impl Step {
    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output {name} in {:?}", self.outputs))
    }

    /// The workflow-command lines of stdout (`::…`), outside `::stop-commands::` blocks.
    fn commands(&self) -> Vec<&str> {
        let mut commands = Vec::new();
        let mut stopped: Option<String> = None;
        for line in self.stdout.lines() {
            match &stopped {
                Some(token) => {
                    if line == format!("::{token}::") {
                        stopped = None;
                    }
                }
                None => {
                    if let Some(token) = line.strip_prefix("::stop-commands::") {
                        stopped = Some(token.to_string());
                    } else if line.starts_with("::") {
                        commands.push(line);
                    }
                }
            }
        }
        assert!(
            stopped.is_none(),
            "stop-commands never resumed:\n{}",
            self.stdout
        );
        commands
    }

    fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}--- outputs\n{:?}",
            self.code, self.stdout, self.stderr, self.outputs
        )
    }
}

/// Reads a GITHUB_OUTPUT file as the runner does: `name=value` lines and
/// `name<<DELIMITER` … `DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(eq), h) if h.is_none_or(|h| eq < h) => {
                outputs.insert(line[..eq].to_string(), line[eq + 1..].to_string());
            }
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                assert!(!delimiter.is_empty(), "empty delimiter in {line:?}");
                let mut value = Vec::new();
                loop {
                    let next = lines
                        .next()
                        .unwrap_or_else(|| panic!("no closing {delimiter} in {text}"));
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                outputs.insert(line[..h].to_string(), value.join("\n"));
            }
            _ => panic!("not an output line: {line:?} in {text}"),
        }
    }
    outputs
}

/// Runs action/run.mjs in `workspace` (else the repository) with these inputs, named as
/// action.yml passes them (`fail-if` → INPUT_FAIL_IF), and HEAPDIFF_BIN = `bin`.
fn run_step(
    inputs: &[(&str, &str)],
    workspace: Option<&Path>,
    bin: &Path,
    env: &[(&str, &str)],
) -> Step {
    let temp = tempfile::tempdir().unwrap();
    let summary = temp.path().join("step_summary");
    let output = temp.path().join("output");
    // The runner creates both files empty before the step.
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&output, "").unwrap();
    let runner_temp = temp.path().join("runner_temp");
    std::fs::create_dir(&runner_temp).unwrap();
    let workspace = workspace.unwrap_or(repo());

    let mut cmd = Command::new("node");
    cmd.arg(repo().join("action/run.mjs"))
        .current_dir(workspace);
    for (name, _) in std::env::vars() {
        if name.starts_with("INPUT_") || name.starts_with("GITHUB_") || name == "HEAPDIFF_BIN" {
            cmd.env_remove(name);
        }
    }
    cmd.env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", &runner_temp)
        .env("HEAPDIFF_BIN", bin);
    for (name, value) in inputs {
        cmd.env(
            format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
            value,
        );
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("node");
    Step {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs: parse_outputs(&std::fs::read_to_string(&output).unwrap()),
        _temp: temp,
    }
}

fn real_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_heapdiff"))
}

fn action(inputs: &[(&str, &str)], workspace: Option<&Path>) -> Step {
    run_step(inputs, workspace, &real_bin(), &[])
}

fn lines_of(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn node20_pair() -> String {
    lines_of(&[snapshot("node20-base"), snapshot("node20-late")])
}

/// The directory the node20 fixtures were written in: the prefix of
/// `…/fixtures/scripts/leak.js` in their closures' sites. With it as `source-root`, the
/// sites are files of this checkout.
fn fixture_source_root() -> String {
    let report = support::json_report(&[snapshot("node20-base"), snapshot("node20-late")]);
    let text = report.to_string();
    let end = text
        .find("/fixtures/scripts/leak.js:")
        .expect("a site in leak.js");
    let start = text[..end].rfind(" @ ").unwrap() + 3;
    text[start..end].to_string()
}

fn help_mentions(text: &str) -> bool {
    stdout_of(heapdiff().arg("--help")).contains(text)
}

#[test]
fn pair_writes_the_summary_outputs_and_annotations() {
    let root = fixture_source_root();
    let pair = node20_pair();
    let step = action(&[("snapshots", &pair), ("source-root", &root)], None);
    assert_eq!(step.code, Some(0), "{}", step.describe());

    // The summary is heapdiff's markdown report, verdict first in bold.
    let markdown = stdout_of(
        heapdiff()
            .args(["--quiet", "--format", "markdown", "--source-root", &root])
            .args([snapshot("node20-base"), snapshot("node20-late")]),
    );
    assert!(markdown.starts_with("**Possible leak: "), "{markdown}");
    assert_eq!(step.summary, format!("{markdown}\n"));
    assert_eq!(
        std::fs::read_to_string(step.output("report")).unwrap(),
        markdown
    );

    // Outputs agree with the JSON report.
    let report = support::json_report(&[snapshot("node20-base"), snapshot("node20-late")]);
    assert_eq!(step.output("exit-code"), "0");
    assert_eq!(step.output("verdict"), report["verdict"].as_str().unwrap());
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(step.output("findings"), findings.len().to_string());
    assert_eq!(step.output("growing"), "0");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(step.output("json")).unwrap()).unwrap();
    assert_eq!(json["verdict"], report["verdict"]);
    assert!(!step.outputs.contains_key("sarif"));

    // The listener closure (leak.js:54:35) is a file of this repository: a warning on its line
    // (a warning, as no budget failed). The one-time fill of readPayload closures (62:36) is
    // not annotated; the findings without a site share one plain warning with the verdict.
    let commands = step.commands();
    let listener = "::warning file=fixtures/scripts/leak.js,line=54,col=35,\
                    title=heapdiff%3A possible leak held by EventEmitter ._events → Object::";
    assert!(
        commands.iter().any(|c| c.starts_with(listener)),
        "{}",
        step.describe()
    );
    assert!(!step.stdout.contains("line=62"), "{}", step.describe());
    let verdict = format!(
        "::warning title=heapdiff::{}%0A#1 ",
        report["verdict"].as_str().unwrap()
    );
    assert!(
        commands.iter().any(|c| c.starts_with(&verdict)),
        "{}",
        step.describe()
    );
    assert!(!commands.iter().any(|c| c.starts_with("::error")));
}

#[test]
fn exceeded_budget_exits_1_with_errors() {
    let root = fixture_source_root();
    let pair = node20_pair();
    // fail-if: one budget per line.
    let step = action(
        &[
            ("snapshots", &pair),
            ("source-root", &root),
            ("fail-if", "new-retained>500kB\nclass:Function.count>=901\n"),
        ],
        None,
    );
    assert_eq!(step.code, Some(1), "{}", step.describe());
    assert_eq!(step.output("exit-code"), "1");
    let commands = step.commands();
    assert!(
        commands.contains(
            &"::error title=heapdiff%3A budget exceeded::new-retained>500kB: actual 629 kB, limit 500 kB"
        ),
        "{}",
        step.describe()
    );
    // The finding's site is now an error, on the line.
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("::error file=fixtures/scripts/leak.js,line=54,col=35,")),
        "{}",
        step.describe()
    );
    // heapdiff's own stderr is shown with workflow commands stopped.
    assert!(
        step.stdout
            .contains("heapdiff: budget exceeded: new-retained>500kB")
    );
    assert!(
        step.summary.starts_with("**Possible leak: "),
        "{}",
        step.summary
    );
    assert!(step.summary.contains("budget exceeded"), "{}", step.summary);

    // fail-on-growth within its limit passes.
    let step = action(&[("snapshots", &pair), ("fail-on-growth", "1MB")], None);
    assert_eq!(step.code, Some(0), "{}", step.describe());
    assert_eq!(step.output("exit-code"), "0");
    let step = action(&[("snapshots", &pair), ("fail-on-growth", "500kB")], None);
    assert_eq!(step.code, Some(1), "{}", step.describe());
}

/// A step that could not check: exit 2, `exit-code` 2, an `::error` naming the problem, the
/// problem in the summary.
fn assert_cannot_check(step: &Step, message: &str) {
    assert_eq!(step.code, Some(2), "{}", step.describe());
    assert_eq!(step.output("exit-code"), "2");
    let commands = step.commands();
    let error = commands
        .iter()
        .find(|c| c.starts_with("::error title=heapdiff could not check::"))
        .unwrap_or_else(|| panic!("no error annotation\n{}", step.describe()));
    assert!(error.contains(message), "{error}");
    assert!(
        step.summary
            .contains("**heapdiff could not check** (exit 2)"),
        "{}",
        step.summary
    );
    assert!(step.summary.contains(message), "{}", step.summary);
}

#[test]
fn cannot_check_exits_2_with_an_error() {
    let pair = node20_pair();
    let bad_budget = action(&[("snapshots", &pair), ("fail-if", "retained>5MiB")], None);
    assert_cannot_check(&bad_budget, "unknown metric 'retained'");
    assert!(!bad_budget.outputs.contains_key("verdict"));

    let missing = action(
        &[
            (
                "snapshots",
                "missing-base.heapsnapshot\nmissing-late.heapsnapshot",
            ),
            ("fail-on-growth", "1MB"),
        ],
        None,
    );
    assert_cannot_check(&missing, "missing-base.heapsnapshot");

    let series_metric = action(
        &[("snapshots", &pair), ("fail-if", "growing.count>0")],
        None,
    );
    assert_eq!(series_metric.code, Some(2), "{}", series_metric.describe());

    assert_cannot_check(
        &action(&[("snapshots", " \n ")], None),
        "input snapshots is empty",
    );
    assert_cannot_check(
        &action(&[("snapshots", &pair), ("sarif", "yes")], None),
        "input sarif must be true or false",
    );
    assert_cannot_check(
        &run_step(
            &[("snapshots", &pair)],
            None,
            Path::new("/nonexistent/heapdiff"),
            &[],
        ),
        "/nonexistent/heapdiff does not exist",
    );
}

#[test]
fn directory_is_a_series() {
    let workspace = tempfile::tempdir().unwrap();
    let series = repo().join("fixtures/series");
    let step = action(
        &[
            ("snapshots", series.to_str().unwrap()),
            ("fail-if", "growing.count>0"),
        ],
        Some(workspace.path()),
    );
    assert_eq!(step.code, Some(1), "{}", step.describe());
    assert_eq!(step.output("exit-code"), "1");
    assert_eq!(step.output("growing"), "1");
    let verdict = step.output("verdict");
    assert!(
        verdict.starts_with("Likely leak: Object .leaks → Array gains Leaky ×100 per step"),
        "{verdict}"
    );
    assert!(
        step.summary.starts_with(&format!("**{verdict}**")),
        "{}",
        step.summary
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(step.output("json")).unwrap()).unwrap();
    assert_eq!(json["command"], "series");
    assert_eq!(json["snapshots"].as_array().unwrap().len(), 4);
    let commands = step.commands();
    assert!(commands.contains(
        &"::error title=heapdiff%3A budget exceeded::growing.count>0: actual 1, limit 0"
    ));
    // The growing finding has no site in this (empty) workspace: the verdict as a warning.
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with(&format!("::warning title=heapdiff::{verdict}%0A#1 "))),
        "{}",
        step.describe()
    );
}

#[test]
fn sites_elsewhere_get_one_plain_warning() {
    // Chromium's closures are in http://127.0.0.1:…/ pages: no file of the repository.
    let pair = lines_of(&[snapshot("chromium-base"), snapshot("chromium-late")]);
    let step = action(&[("snapshots", &pair)], None);
    assert_eq!(step.code, Some(0), "{}", step.describe());
    let commands = step.commands();
    assert_eq!(commands.len(), 1, "{}", step.describe());
    let warning = commands[0];
    // The message keeps `:` (only properties escape it); its lines are joined by %0A.
    assert!(
        warning.starts_with("::warning title=heapdiff::Possible leak: Window"),
        "{warning}"
    );
    assert!(warning.contains("http://127.0.0.1:"), "{warning}");
    assert!(warning.contains("%0A#1 "), "{warning}");
    assert!(!warning.contains('\r'));
}

// ---- A stand-in heapdiff ------------------------------------------------------------------

const FAKE_HEAPDIFF: &str = r#"#!/usr/bin/env node
// Stand-in for heapdiff: records its arguments, writes FAKE_REPORT (JSON) or its verdict
// (other formats) to -o, prints FAKE_STDERR and exits with FAKE_EXIT.
import fs from 'node:fs';
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(args) + '\n');
if (process.env.FAKE_SIGNAL) process.kill(process.pid, process.env.FAKE_SIGNAL);
const format = args[args.indexOf('--format') + 1];
const out = args[args.indexOf('-o') + 1];
if (process.env.FAKE_NO_REPORT === undefined) {
  const report = fs.readFileSync(process.env.FAKE_REPORT, 'utf8');
  fs.writeFileSync(out, format === 'json' ? report : `**${JSON.parse(report).verdict}** (${format})\n`);
}
process.stderr.write(process.env.FAKE_STDERR ?? '');
process.exit(Number(process.env.FAKE_EXIT ?? 0));
"#;

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    /// A workspace with a stand-in heapdiff whose report is `report` (`WS` in it replaced by
    /// the workspace's path) and these files.
    fn new(report: &str, files: &[&str]) -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        for file in files {
            let path = ws.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "// source\n").unwrap();
        }
        std::fs::create_dir_all(&ws).unwrap();
        let bin = dir.path().join("heapdiff.mjs");
        std::fs::write(&bin, FAKE_HEAPDIFF).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let report = report.replace("WS", ws.to_str().unwrap());
        std::fs::write(dir.path().join("report.json"), report).unwrap();
        Fake { dir }
    }

    fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn run(&self, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> Step {
        let log = self.dir.path().join("args.log");
        let _ = std::fs::remove_file(&log);
        let report = self.dir.path().join("report.json");
        let mut all = vec![
            ("FAKE_LOG", log.to_str().unwrap()),
            ("FAKE_REPORT", report.to_str().unwrap()),
        ];
        all.extend_from_slice(env);
        run_step(
            inputs,
            Some(&self.workspace()),
            &self.dir.path().join("heapdiff.mjs"),
            &all,
        )
    }

    /// The argument lists heapdiff was called with, in order.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.dir.path().join("args.log"))
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

const CRAFTED: &str = r#"{
  "verdict": "Likely leak: 100% of\r\nit",
  "findings": [
    {"rank": 1, "evidence": "growing", "growing": true, "suspicion": null, "label": "Map ,a:b",
     "holder": {"path": "global .x → Map ,a:b"}, "gained_bytes": 6400, "gained_count": 100,
     "parts": [{"label": "Function other @ WS/lib/util.js:9:9", "count": 100, "internal": false}],
     "site": {"label": "Leaky @ we,ird:100%.js:3:5", "script": "WS/src/we,ird:100%.js", "line": 3, "column": 5}},
    {"rank": 2, "evidence": "growing", "growing": true, "suspicion": null, "label": "A",
     "holder": {"path": "global .a"}, "gained_bytes": 10, "gained_count": 1,
     "parts": [{"label": "Function f @ file://WS/lib/util.js:7:9", "count": 1, "internal": false}]},
    {"rank": 3, "evidence": "growing", "growing": true, "suspicion": null, "label": "B",
     "holder": {"path": "global .b"}, "gained_bytes": 10, "gained_count": 1,
     "parts": [{"label": "Function g @ WS/node_modules/pkg/index.js:1:1", "count": 1, "internal": false}]},
    {"rank": 4, "evidence": "not-growing", "growing": false, "suspicion": null, "label": "C",
     "holder": {"path": "global .c"}, "gained_bytes": 10, "gained_count": 1,
     "parts": [{"label": "Function h @ WS/lib/util.js:2:2", "count": 1, "internal": false}]},
    {"rank": 5, "evidence": "growing", "growing": true, "suspicion": null, "label": "D",
     "holder": {"path": "global .d"}, "gained_bytes": 10, "gained_count": 1, "parts": [],
     "site": {"label": "src/rel.js", "script": "src/rel.js", "line": null, "column": null}},
    {"rank": 6, "evidence": "growing", "growing": true, "suspicion": null, "label": "E",
     "holder": {"path": "global .e"}, "gained_bytes": 10, "gained_count": 1,
     "parts": [{"label": "Function v @ <eval>:3:17, created by c (WS/lib/util.js:1:1)", "count": 1, "internal": false}]},
    {"rank": 7, "evidence": "two-snapshots", "growing": false, "suspicion": "one-time-fill", "label": "F",
     "holder": {"path": "global .f"}, "gained_bytes": 10, "gained_count": 1,
     "parts": [{"label": "Function k @ WS/lib/util.js:4:4", "count": 1, "internal": false}]}
  ],
  "budgets": [{"budget": "growing.count>0", "actual": 5, "limit": 0, "exceeded": true, "bytes": false}]
}"#;

const CRAFTED_FILES: &[&str] = &[
    "src/we,ird:100%.js",
    "lib/util.js",
    "node_modules/pkg/index.js",
    "src/rel.js",
];

#[test]
fn annotations_escape_and_place_sites() {
    let fake = Fake::new(CRAFTED, CRAFTED_FILES);
    let step = fake.run(
        &[(
            "snapshots",
            "a.heapsnapshot\nb.heapsnapshot\nc.heapsnapshot",
        )],
        &[("FAKE_EXIT", "1"), ("FAKE_STDERR", "::warning::not ours\n")],
    );
    assert_eq!(step.code, Some(1), "{}", step.describe());
    assert_eq!(
        step.commands(),
        [
            // The structured site wins over the parts; properties escape `%`, `,` and `:`,
            // the message `%`, CR and LF.
            "::error file=src/we%2Cird%3A100%25.js,line=3,col=5,title=heapdiff%3A leak held by Map %2Ca%3Ab\
             ::#1 global .x → Map ,a:b gains Function other @ WS/lib/util.js:9:9 ×100 (+6.4 kB, \
             100 objects; grew at every step), allocated by Leaky @ we,ird:100%25.js:3:5"
                .replace("WS", fake.workspace().to_str().unwrap())
                .as_str(),
            // A file:// URL is a path.
            "::error file=lib/util.js,line=7,col=9,title=heapdiff%3A leak held by A::#2 global .a \
             gains Function f @ file://WS/lib/util.js:7:9 ×1 (+10 B, 1 object; grew at every step)"
                .replace("WS", fake.workspace().to_str().unwrap())
                .as_str(),
            // A relative script is taken from the source root; no line, no line property.
            "::error file=src/rel.js,title=heapdiff%3A leak held by D::#5 global .d gains \
             (+10 B, 1 object; grew at every step), allocated by src/rel.js",
            // node_modules and <eval> are elsewhere: with the verdict, in one plain warning.
            // Not-growing (#4) and one-time-fill (#7) findings are not annotated.
            "::warning title=heapdiff::Likely leak: 100%25 of%0D%0Ait\
             %0A#3 global .b gains Function g @ WS/node_modules/pkg/index.js:1:1 ×1 (+10 B, 1 object; grew at every step)\
             %0A#6 global .e gains Function v @ <eval>:3:17, created by c (WS/lib/util.js:1:1) ×1 (+10 B, 1 object; grew at every step)"
                .replace("WS", fake.workspace().to_str().unwrap())
                .as_str(),
            "::error title=heapdiff%3A budget exceeded::growing.count>0: actual 5, limit 0",
        ]
    );
    // heapdiff's stderr is shown, but not obeyed.
    assert!(
        step.stdout.contains("\n::warning::not ours\n"),
        "{}",
        step.stdout
    );

    // A verdict with a line break goes to GITHUB_OUTPUT in the heredoc form.
    assert_eq!(step.output("verdict"), "Likely leak: 100% of\r\nit");
    assert_eq!(step.output("findings"), "7");
    assert_eq!(step.output("growing"), "5");
    assert_eq!(step.output("exit-code"), "1");

    // annotate: false leaves out the sites, not the budget error.
    let quiet = fake.run(
        &[("snapshots", "a\nb"), ("annotate", "false")],
        &[("FAKE_EXIT", "1")],
    );
    assert_eq!(
        quiet.commands(),
        ["::error title=heapdiff%3A budget exceeded::growing.count>0: actual 5, limit 0"]
    );
}

#[test]
fn inputs_become_heapdiff_arguments() {
    let fake = Fake::new(CRAFTED, CRAFTED_FILES);
    let step = fake.run(
        &[
            ("snapshots", "s/b 1.heapsnapshot\n  s/a.heapsnapshot.gz  \n"),
            ("fail-if", "growing.count>0\n\nclass:Leaky.slope>=1"),
            ("fail-on-growth", "5MiB"),
            ("ignore", "cache\nDetached <li>"),
            ("baseline", ".heapdiff-baseline.json"),
            ("write-baseline", "new-baseline.json"),
            ("source-root", "app"),
            ("args", "--top 5\n--strict"),
            ("sarif", "true"),
        ],
        &[],
    );
    assert_eq!(step.code, Some(0), "{}", step.describe());
    let ws = fake.workspace();
    let calls = fake.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    let common: Vec<String> = [
        "--quiet",
        "--fail-if",
        "growing.count>0",
        "--fail-if",
        "class:Leaky.slope>=1",
        "--fail-on-growth",
        "5MiB",
        "--ignore",
        "cache",
        "--ignore",
        "Detached <li>",
        "--baseline",
        ".heapdiff-baseline.json",
        "--source-root",
        ws.join("app").to_str().unwrap(),
        "--top",
        "5",
        "--strict",
        "--",
        "s/b 1.heapsnapshot",
        "s/a.heapsnapshot.gz",
    ]
    .map(String::from)
    .to_vec();
    let out = |name: &str| step.output(name).to_string();
    let expect = |head: &[&str]| {
        let mut v: Vec<String> = head.iter().map(|s| s.to_string()).collect();
        v.extend(common.iter().cloned());
        v
    };
    assert_eq!(
        calls[0],
        expect(&[
            "--format",
            "json",
            "-o",
            &out("json"),
            "--write-baseline",
            "new-baseline.json"
        ])
    );
    assert_eq!(
        calls[1],
        expect(&["--format", "markdown", "-o", &out("report")])
    );
    assert_eq!(
        calls[2],
        expect(&["--format", "sarif", "-o", &out("sarif")])
    );
    assert!(out("sarif").ends_with("heapdiff.sarif"));
    assert!(Path::new(&out("sarif")).is_file());
    assert_eq!(
        step.summary,
        "**Likely leak: 100% of\r\nit** (markdown)\n\n"
    );
}

#[test]
fn nothing_but_0_1_2_and_never_a_pass_by_accident() {
    let fake = Fake::new(CRAFTED, CRAFTED_FILES);
    let snapshots = ("snapshots", "a\nb");
    // heapdiff's 2 with its message.
    let step = fake.run(
        &[snapshots],
        &[
            ("FAKE_EXIT", "2"),
            ("FAKE_NO_REPORT", ""),
            (
                "FAKE_STDERR",
                "heapdiff: a: not a heap snapshot\nFor more information, try '--help'.\n",
            ),
        ],
    );
    assert_cannot_check(&step, "heapdiff: a: not a heap snapshot");
    assert!(!step.commands()[0].contains("For more information"));
    assert_eq!(fake.calls().len(), 1);
    // A crash (a panic's 101, a signal) is 2.
    let step = fake.run(&[snapshots], &[("FAKE_EXIT", "101")]);
    assert_cannot_check(&step, "heapdiff exited with status 101");
    let step = fake.run(&[snapshots], &[("FAKE_SIGNAL", "SIGKILL")]);
    assert_cannot_check(&step, "heapdiff was killed by SIGKILL");
    // 0 without a report is 2.
    let step = fake.run(&[snapshots], &[("FAKE_NO_REPORT", "")]);
    assert_cannot_check(&step, "heapdiff's JSON report cannot be read");
    // 1 with no budget exceeded (a finding not in the baseline): the verdict as the error.
    let no_budgets = Fake::new(
        r#"{"verdict": "Likely leak: X", "findings": [], "budgets": []}"#,
        &[],
    );
    let step = no_budgets.run(&[snapshots], &[("FAKE_EXIT", "1")]);
    assert_eq!(step.code, Some(1), "{}", step.describe());
    assert_eq!(
        step.commands(),
        ["::error title=heapdiff%3A check failed::Likely leak: X"]
    );
    // Without GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (a run outside GitHub) the status stays.
    let step = fake.run(
        &[snapshots],
        &[
            ("FAKE_EXIT", "1"),
            ("GITHUB_OUTPUT", ""),
            ("GITHUB_STEP_SUMMARY", ""),
        ],
    );
    assert_eq!(step.code, Some(1), "{}", step.describe());
    assert!(step.outputs.is_empty() && step.summary.is_empty());
}

// ---- Features that may not be in this build yet -------------------------------------------

#[test]
fn sarif_upload_file() {
    let pair = node20_pair();
    let step = action(&[("snapshots", &pair), ("sarif", "true")], None);
    if !help_mentions("sarif") {
        eprintln!("skipped: this heapdiff has no --format sarif; checking that the action fails");
        assert_cannot_check(&step, "sarif");
        // The reports that could be written still are.
        assert!(
            step.summary.starts_with("**Possible leak: "),
            "{}",
            step.summary
        );
        return;
    }
    assert_eq!(step.code, Some(0), "{}", step.describe());
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(step.output("sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["runs"][0]["results"].is_array(), "{sarif}");
}

#[test]
fn baseline_of_the_same_pair_passes() {
    let pair = node20_pair();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let written = action(
        &[
            ("snapshots", &pair),
            ("write-baseline", baseline.to_str().unwrap()),
        ],
        None,
    );
    if !help_mentions("--baseline") || !help_mentions("--write-baseline") {
        eprintln!(
            "skipped: this heapdiff has no --baseline/--write-baseline; checking that the action fails"
        );
        assert_cannot_check(&written, "--write-baseline");
        let checked = action(&[("snapshots", &pair), ("baseline", "baseline.json")], None);
        assert_cannot_check(&checked, "--baseline");
        return;
    }
    assert_eq!(written.code, Some(0), "{}", written.describe());
    assert!(baseline.is_file());
    let checked = action(
        &[
            ("snapshots", &pair),
            ("baseline", baseline.to_str().unwrap()),
        ],
        None,
    );
    assert_eq!(checked.code, Some(0), "{}", checked.describe());
    assert_eq!(checked.output("exit-code"), "0");
}

// ---- action.yml -----------------------------------------------------------------------------

/// action.yml as JSON, read by Python's YAML parser; None when python3 or its yaml module is
/// missing.
fn action_yml() -> Option<Value> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(repo().join("action.yml"))
        .output()
        .ok()?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("No module named 'yaml'"),
            "action.yml does not parse: {stderr}"
        );
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn action_yml_passes_every_input_to_the_script() {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(repo().join("action/run.mjs")).unwrap();
    let Some(action) = action_yml() else {
        eprintln!("skipped: no python3 with yaml to parse action.yml");
        assert!(text.contains("run: node \"$GITHUB_ACTION_PATH/action/run.mjs\""));
        return;
    };
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let run = &steps[0];
    assert_eq!(run["id"], "heapdiff");
    assert_eq!(run["run"], "node \"$GITHUB_ACTION_PATH/action/run.mjs\"");
    assert!(run["shell"].is_string());

    // Every input reaches the script as INPUT_NAME, and the script reads it.
    let inputs = action["inputs"].as_object().unwrap();
    let env = run["env"].as_object().unwrap();
    assert_eq!(inputs.len(), env.len(), "{env:?}");
    for (name, spec) in inputs {
        assert!(spec["description"].is_string(), "{name}");
        let variable = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        assert_eq!(
            env[&variable],
            format!("${{{{ inputs.{name} }}}}"),
            "{variable}"
        );
        assert!(
            script.contains(&format!("input('{name}')"))
                || script.contains(&format!("inputLines('{name}')"))
                || script.contains(&format!("inputBool('{name}'")),
            "run.mjs does not read input {name}"
        );
    }
    assert_eq!(inputs["snapshots"]["required"], true);

    // Every output is one the script sets.
    for (name, spec) in action["outputs"].as_object().unwrap() {
        assert_eq!(
            spec["value"],
            format!("${{{{ steps.heapdiff.outputs.{name} }}}}")
        );
        assert!(
            script.contains(&format!("setOutput('{name}'")),
            "run.mjs does not set output {name}"
        );
    }

    // SARIF is uploaded only when asked, also after a failed check.
    let upload = &steps[1];
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v3");
    assert_eq!(
        upload["if"],
        "always() && inputs.sarif == 'true' && steps.heapdiff.outputs.sarif != ''"
    );
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.heapdiff.outputs.sarif }}"
    );
}
