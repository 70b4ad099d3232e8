//! The HTML report (`--format html`): one self-contained page built from the report structs.
//! Rust tests pin its embedded data and structure on the fixtures; `tests/browser/` opens it
//! in headless Chromium and checks what a reader does (treemap, cards, sorting, filtering).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::builder::SnapshotBuilder;
use support::{heapdiff, json_report, series, snapshot, stdout_of};

mod support;

fn pair() -> [PathBuf; 2] {
    [snapshot("node20-base"), snapshot("node20-late")]
}

/// The HTML report of `files` with `args`.
fn html(args: &[&str], files: &[PathBuf]) -> String {
    stdout_of(
        heapdiff()
            .args(["--format", "html", "--source-root", "/work/main"])
            .args(args)
            .args(files),
    )
}

/// The report embedded in the page.
fn embedded(page: &str) -> Value {
    let start = page
        .find("<script type=\"application/json\" id=\"report-data\">")
        .unwrap();
    let body = &page[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    serde_json::from_str(&body.replace("<\\/", "</")).unwrap()
}

#[test]
fn the_page_embeds_the_report_and_draws_every_top_cluster() {
    let page = html(&["--compare"], &pair());
    let data = embedded(&page);
    let json = json_report(&[
        "--compare".into(),
        "--source-root".into(),
        "/work/main".into(),
        pair()[0].clone().into_os_string(),
        pair()[1].clone().into_os_string(),
    ]);
    assert_eq!(
        data, json,
        "the page embeds the JSON report (it is small enough to be whole)"
    );
    let clusters = data["clusters"].as_array().unwrap();
    // One treemap rectangle per cluster no other cluster holds, one card per cluster.
    let top = clusters.iter().filter(|c| c["inside_of"].is_null()).count();
    let treemap = &page[page.find("id=\"treemap-clusters\"").unwrap()..];
    let treemap = &treemap[..treemap.find("</svg>").unwrap()];
    assert_eq!(treemap.matches("<rect ").count(), top);
    assert_eq!(
        page.matches("<article class=\"card\"").count(),
        clusters.len()
    );
    for c in clusters {
        assert!(page.contains(&format!("id=\"cluster-{}\"", c["rank"])));
    }
    for id in [
        "verdict",
        "findings",
        "treemaps",
        "clusters",
        "classes",
        "comparison",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    assert!(page.contains("validate* @ &lt;eval&gt;:3:17"));
    assert!(page.contains("created by compileValidator (fixtures/scripts/leak.js:44:26)"));
    assert!(page.contains("<a href=\"file:///work/main/fixtures/scripts/leak.js\">"));
    // Self-contained: no stylesheet, script or image fetched from anywhere.
    for needle in ["<link", " src=", "http://", "https://", "@import"] {
        assert!(!page.contains(needle), "the page refers to {needle}");
    }
    assert!(page.len() < 3 << 20);
}

#[test]
fn series_and_summary_pages_work_too() {
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    let page = html(&[], &s);
    assert_eq!(embedded(&page)["command"], "series");
    assert!(page.contains("held by 150/150  global .state → Object .leaks → Array [] → Leaky"));
    assert!(page.contains("<svg class=\"spark\""));
    let out = heapdiff()
        .args(["summary", "--format", "html"])
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert_eq!(embedded(&page)["command"], "summary");
    assert!(page.contains("id=\"classes-table\""));
}

#[test]
fn text_is_escaped() {
    let page = html(&[], &pair());
    // Outside the embedded JSON, labels with quotes and angle brackets are text, not markup.
    let markup = &page[..page.find("<script type=\"application/json\"").unwrap()];
    assert!(markup.contains("&quot;duplicated-string-value&quot;"));
    assert!(markup.contains("&lt;eval&gt;"));
    assert!(!markup.contains("<eval>"));
}

/// The fixture series s1…s4.
fn fixture_series() -> Vec<PathBuf> {
    (1..=4).map(|i| series(&format!("s{i}"))).collect()
}

/// The part of `page` after `start` up to the first `end` after it.
fn between<'p>(page: &'p str, start: &str, end: &str) -> &'p str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let rest = &page[from..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"))]
}

/// Text as the page writes it outside markup.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// See: issue 31 (the top box said only how many new objects are alive).
#[test]
fn the_top_box_leads_with_the_verdict_and_the_first_finding() {
    let page = html(&[], &pair());
    assert_eq!(page.matches("id=\"verdict\"").count(), 1);
    let top = between(&page, "<section class=\"verdict", "</section>");
    let verdict = "Possible leak: global .more → Object gains {type, required} ×400, +110 kB — one step: \
                   a third snapshot tells a leak from a one-time fill";
    assert!(
        top.contains(&format!(
            "<p class=\"headline\"><strong>{verdict}</strong></p>"
        )),
        "{top}"
    );
    let finding = [
        "Finding #1 of 6",
        "<dt>Holder</dt><dd><code>global</code> <span class=\"note\">@6049</span>, inside it \
         <code>.more → Object</code></dd>",
        "<dt>Gained</dt><dd>Array ×374, (string) ×743, {type, required} ×400, {a, b, c} ×250</dd>",
        "<dt>Size</dt><dd>+110 kB in 2,825 objects</dd>",
        "<dt>Made by</dt><dd>not known",
        "9,017 objects allocated since base are still alive",
    ];
    let mut at = top.find(verdict).unwrap();
    for text in finding {
        let found = top[at..]
            .find(text)
            .unwrap_or_else(|| panic!("{text} in order in {top}"));
        at += found;
    }

    let page = html(&[], &fixture_series());
    let top = between(&page, "<section class=\"verdict", "</section>");
    let json = embedded(&page);
    let verdict = json["verdict"].as_str().unwrap();
    assert!(verdict.starts_with("Likely leak: Object .leaks → Array gains Leaky ×100 per step"));
    assert!(top.contains(&format!("<strong>{}</strong>", escaped(verdict))));
    for text in [
        "<code>global .state → Object .leaks → Array</code> <span class=\"note\">@6173</span>",
        "<dt>Gained</dt><dd>Leaky ×300, (string) ×300</dd>",
        "<dt>Size</dt><dd>+6.4 kB and +200 objects per step over 3 steps (+19.2 kB, 601 objects in all)</dd>",
        "<dt>Made by</dt><dd><code>constructor Leaky @ fixtures/scripts/series.js:12:14</code></dd>",
        "4 snapshots; 1 holder grew at every step.",
    ] {
        assert!(top.contains(text), "{text} in {top}");
    }
}

// See: issue 31 (series charts had no axes or legend).
#[test]
fn series_charts_have_axes_and_a_legend() {
    let page = html(&[], &fixture_series());
    let growing = between(&page, "id=\"growing\"", "id=\"classes\"");
    let charts: Vec<&str> = growing
        .split("<svg class=\"trend\"")
        .skip(1)
        .map(|c| &c[..c.find("</svg>").unwrap()])
        .collect();
    // Leaky (cluster), then (string) and Leaky (classes).
    assert_eq!(charts.len(), 3);
    let ticks = |chart: &str, class: &str| -> Vec<String> {
        chart
            .split(&format!("class=\"tick {class}\""))
            .skip(1)
            .map(|t| {
                let t = &t[t.find('>').unwrap() + 1..];
                t[..t.find('<').unwrap()].to_string()
            })
            .collect()
    };
    let leaky = charts[0];
    assert_eq!(
        ticks(leaky, "y bytes"),
        ["0 B", "5 kB", "10 kB", "15 kB", "20 kB"]
    );
    assert_eq!(ticks(leaky, "y count"), ["0", "100", "200", "300", "400"]);
    assert_eq!(ticks(leaky, "x"), ["#1", "#2", "#3", "#4"]);
    assert!(leaky.contains("<title>fixtures/series/s4.heapsnapshot.gz</title>"));
    assert_eq!(
        ticks(charts[1], "y count"),
        ["0", "5k", "10k", "15k", "20k"]
    );
    for chart in charts {
        let legend = between(chart, "<g class=\"legend\">", "</g>");
        assert!(legend.contains(">retained (left)<") && legend.contains(">objects (right)<"));
        assert!(chart.contains("<polyline class=\"count\""));
        assert!(chart.contains("<rect class=\"bar\""));
    }
}

// See: issue 31 (per-step counts read "+270.3" and "+0.3").
#[test]
fn counts_per_step_read_as_counts() {
    let page = html(&[], &fixture_series());
    let cell =
        regex::Regex::new(r#"<td class="num" data-value="([-0-9.e]+)">([^<]*)</td>"#).unwrap();
    let mut seen = 0;
    for table in ["classes-table", "clusters-table"] {
        let rows = between(&page, &format!("id=\"{table}\""), "</table>");
        for row in rows.split("<tr>").skip(2) {
            // The fifth cell is the count per step, the sixth the bytes per step.
            let cells: Vec<_> = cell.captures_iter(row).collect();
            let (value, shown) = (&cells[0][1], &cells[0][2]);
            let slope: f64 = value.parse().unwrap();
            if slope.abs() >= 10.0 {
                assert!(!shown.contains('.'), "{shown} for {slope}");
                seen += 1;
            }
        }
    }
    assert!(seen >= 8, "{seen} rows of 10 or more objects a step");
    assert!(page.contains(">+268</td>") && !page.contains("+267.7"));
    // "s1" went 0 → 2 → 2 → 2: two objects in three steps.
    assert!(page.contains(">+0.7 (2 in 3 steps)</td>"));
}

/// Three synthetic snapshots: an array gains 100 `Leaky` objects (64 bytes each) a step, and
/// the strings "79" and "113" two copies each (16 bytes a copy): too little to chart.
fn trivial_strings_series(dir: &Path) -> Vec<PathBuf> {
    (0..3u32)
        .map(|step| {
            let mut b = SnapshotBuilder::new();
            let global = b.node("object", "global", 3, 32);
            b.edge(0, "shortcut", "global", global);
            let leaks = b.node("object", "Array", 5, 32);
            b.edge(global, "property", "leaks", leaks);
            let mut leaked = 0;
            for made in 1..=step {
                let first_id = 10_000 * made + 1;
                for j in 0..100 {
                    let leaky = b.node("object", "Leaky", first_id + 2 * j, 64);
                    b.element(leaks, "element", leaked, leaky);
                    leaked += 1;
                }
                // Two copies each (one string is no group), held by the global itself (below
                // an array, a few a piece, they would be folded into the array's group).
                for (k, text) in ["79", "79", "113", "113"].into_iter().enumerate() {
                    let id = first_id + 500 + 2 * k as u32;
                    let s = b.node("string", text, id, 16);
                    b.edge(global, "property", &format!("s{id}"), s);
                }
            }
            let file = dir.join(format!("t{step}.heapsnapshot"));
            std::fs::write(&file, b.build()).unwrap();
            file
        })
        .collect()
}

// See: issue 31 (strings such as "79" and "113" got cards under "What grew at every step").
#[test]
fn trivial_strings_get_no_chart_card() {
    let dir = tempfile::tempdir().unwrap();
    let page = html(&[], &trivial_strings_series(dir.path()));
    let data = embedded(&page);
    let grew = |name: &str| {
        data["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == name && t["growing"] == true)
    };
    assert!(
        grew("Leaky") && grew("\"79\"") && grew("\"113\""),
        "{data:#}"
    );
    let growing = between(&page, "id=\"growing\"", "id=\"classes\"");
    let cards: Vec<&str> = growing
        .split("<figcaption><code>")
        .skip(1)
        .map(|c| &c[..c.find("</code>").unwrap()])
        .collect();
    assert_eq!(cards, ["Leaky", "Leaky"], "a cluster and a class card only");
    let note = between(growing, "id=\"left-out-clusters\">", "</p>");
    assert!(
        note.starts_with("2 more grew at every step, each by under 1 kB and 10 objects a step (")
            && note.contains("&quot;79&quot;")
            && note.contains("&quot;113&quot;")
            && note.ends_with("too little to chart; the table below lists them."),
        "{note}"
    );
    let note = between(growing, "id=\"left-out-classes\">", "</p>");
    assert!(
        note.starts_with("1 more grew at every step") && note.contains("((string))"),
        "{note}"
    );
    // They are still in the table of every cluster.
    let table = between(&page, "id=\"clusters-table\"", "</table>");
    assert!(table.contains("&quot;79&quot;") && table.contains("&quot;113&quot;"));
}

/// The browser check (`tests/browser/run.sh`): needs Node, npm (the corpus's packages) and
/// Debian's chromium; it installs the last two when missing, as `corpus/generate.sh` does.
#[test]
fn a_real_browser_can_use_the_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let pair_page = dir.path().join("pair.html");
    let series_page = dir.path().join("series.html");
    std::fs::write(&pair_page, html(&["--compare"], &pair())).unwrap();
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    std::fs::write(&series_page, html(&[], &s)).unwrap();
    let shots = root.join("bench-data/screenshots");
    let status = Command::new("bash")
        .arg(root.join("tests/browser/run.sh"))
        .arg(&pair_page)
        .arg(&series_page)
        .arg(&shots)
        .status()
        .expect("running tests/browser/run.sh (needs bash and node)");
    assert!(status.success(), "the browser check failed");
    assert!(shots.join("pair-card.png").is_file());
}
