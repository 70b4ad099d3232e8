//! What a markdown report must look like once cmark-gfm has rendered it: the checks of
//! `tests/markdown`, over the HTML tree of [`html`](super::html) and the `--json` report.

use regex::Regex;
use serde_json::Value;

use super::html::Element;

/// Rows per table (`--top`): more than any report here has, so that every name is shown.
pub const TOP: usize = 60;

/// The elements the markdown report writes itself; any other came from a name.
const ELEMENTS: [&str; 18] = [
    "p",
    "strong",
    "em",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "br",
    "blockquote",
    "details",
    "summary",
    "ul",
    "li",
];

/// The report's `####` headings.
const SECTIONS: [&str; 6] = [
    "Findings: old objects that keep gaining new ones",
    "Clusters of new objects",
    "New objects by class",
    "New objects by allocation site",
    "Classes growing at every step",
    "Clusters growing at every step",
];

/// A markdown report and its HTML.
pub struct Rendered {
    pub markdown: String,
    pub html: String,
    pub root: Element,
}

/// `1,234`, as the report writes counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` with script paths made short as the text reports make them (`--json` keeps them
/// whole): a package's scripts from the package on, the checkout's relative to it.
fn short(text: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let packages = Regex::new(r#"(^|[ ("])(file://)?/[^\s),":]*/node_modules/"#).unwrap();
    let text = packages.replace_all(text, "$1");
    let checkout = Regex::new(&format!(r#"(^|[ ("])(file://)?{}/"#, regex::escape(root))).unwrap();
    checkout.replace_all(&text, "$1").into_owned()
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// The tables of the document: header texts and rows of cells.
fn tables(root: &Element) -> Vec<(Vec<String>, Vec<Vec<&Element>>)> {
    root.find_all("table")
        .into_iter()
        .map(|(_, table)| {
            let header = table
                .find_all("th")
                .iter()
                .map(|(_, th)| th.text())
                .collect();
            let rows = table
                .find_all("tbody")
                .iter()
                .flat_map(|(_, body)| body.find_all("tr"))
                .map(|(_, tr)| tr.find_all("td").into_iter().map(|(_, td)| td).collect())
                .collect();
            (header, rows)
        })
        .collect()
}

/// The rows of the table whose first header cells are `header`.
fn table<'a>(root: &'a Element, header: &[&str]) -> Vec<Vec<&'a Element>> {
    tables(root)
        .into_iter()
        .find(|(h, _)| h.iter().map(String::as_str).eq(header.iter().copied()))
        .map(|(_, rows)| rows)
        .unwrap_or_default()
}

/// The text of a cell's first code span.
fn code_text(cell: &Element) -> String {
    cell.find_all("code")
        .first()
        .map(|(_, c)| c.text())
        .unwrap_or_else(|| panic!("no code span in {cell:?}"))
}

/// A right-aligned cell: what its text must look like, by column.
fn number_pattern(column: &str) -> Option<Regex> {
    let count = r"\d{1,3}(,\d{3})*";
    let size = r"\d+(\.\d+)? (B|kB|MB|GB)";
    let pattern = match column {
        "#" => r"\d+".to_string(),
        "distance" => "\\d+|\u{2212}".to_string(),
        "nodes" | "count" | "objects" => count.to_string(),
        "heap" | "shallow" | "retained" => size.to_string(),
        "file size" => format!("{size}|\u{2212}"),
        "gained" => format!(r"\+{size}( \+{size})*"),
        "retained per step" => format!("[+\u{2212}]?{size}"),
        "actual" => format!("\u{2212}?({count}|{size})"),
        _ => return None,
    };
    Some(Regex::new(&format!("^({pattern})$")).unwrap())
}

/// Checks what every markdown report must render as: only the report's own elements, each
/// where the report puts it, and tables whose cells hold what their columns say.
fn check_markup(r: &Rendered) {
    let what = &r.markdown;
    for name in r.root.names() {
        assert!(
            ELEMENTS.contains(&name),
            "element <{name}> from a name in\n{what}"
        );
    }
    // Lists: the report's own `- ` lines, nothing else.
    let items = r.root.find_all("li");
    let lines = r.markdown.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(items.len(), lines, "{what}");
    assert!(items.iter().all(|(parent, _)| *parent == "ul"), "{what}");
    // Emphasis: the two italic lines of the report's own.
    for (_, em) in r.root.find_all("em") {
        let text = em.text();
        assert!(
            text.starts_with("Two snapshots") || text.starts_with("paths: "),
            "<em>{text}</em> in\n{what}"
        );
    }
    let strong_words = Regex::new(r"^(#\d+|\d+ budgets? exceeded|exceeded|Warning:)$").unwrap();
    for (i, (parent, strong)) in r.root.find_all("strong").into_iter().enumerate() {
        let verdict = i == 0 && r.markdown.starts_with("**") && parent == "p";
        assert!(
            verdict || strong_words.is_match(&strong.text()),
            "<strong>{}</strong> in\n{what}",
            strong.text()
        );
        assert_eq!(strong.elements().count(), 0, "{what}");
    }
    for (_, h) in r.root.find_all("h3") {
        assert!(h.text().starts_with("heapdiff"), "{what}");
    }
    for (_, h) in r.root.find_all("h4") {
        assert!(SECTIONS.contains(&h.text().as_str()), "{}", h.text());
    }
    for (header, rows) in tables(&r.root) {
        for row in rows {
            assert_eq!(row.len(), header.len(), "{what}");
            for (column, cell) in header.iter().zip(row) {
                check_cell(column, cell);
            }
        }
    }
}

/// A cell holds what its column says: a number, a code span, text without elements.
fn check_cell(column: &str, cell: &Element) {
    let text = cell.text();
    let elements: Vec<&str> = cell.elements().map(|e| e.name.as_str()).collect();
    if let Some(pattern) = number_pattern(column) {
        assert!(pattern.is_match(&text), "{column}: {text:?}");
        return;
    }
    match column {
        "snapshot" => assert!(
            ["base", "target", "late"].contains(&text.as_str()),
            "{text}"
        ),
        "result" => assert!(["ok", "exceeded"].contains(&text.as_str()), "{text}"),
        "kind" => assert!(Regex::new("^[a-z-]+$").unwrap().is_match(&text), "{text}"),
        "counts" => {
            let counts = Regex::new(r"^\d{1,3}(,\d{3})*( → \d{1,3}(,\d{3})*)*$").unwrap();
            assert!(counts.is_match(&text), "{text}");
        }
        // A code span and nothing else.
        "file" | "class" | "budget" => {
            assert_eq!(elements, ["code"], "{column}: {cell:?}");
            assert_eq!(cell.elements().next().unwrap().text(), text.trim());
        }
        // `↑ `, the holder's code span, then the note on what it may be.
        "holder" => {
            assert_eq!(elements, ["code"], "{column}: {cell:?}");
            let code = code_text(cell);
            let (before, after) = text.split_once(&code).unwrap();
            assert!(["", "↑ "].contains(&before), "{text}");
            let note = Regex::new(r"^( \([a-z -]+\?\))?$").unwrap();
            assert!(note.is_match(after), "{text}");
        }
        // A code span first, then lines after `<br>`: text, or `held by` and a code span.
        "cluster" | "name" | "allocated in" => {
            assert_eq!(elements.first(), Some(&"code"), "{column}: {cell:?}");
            assert!(
                elements.iter().all(|e| ["code", "br"].contains(e)),
                "{cell:?}"
            );
        }
        "what it gained" => {
            assert!(elements.is_empty(), "{column}: {cell:?}");
            let parts = Regex::new(r"^.+ ×\d{1,3}(,\d{3})*$").unwrap();
            assert!(text.split(", ").last().is_some_and(|p| parts.is_match(p)));
        }
        _ => panic!("unknown column {column:?}"),
    }
}

/// The verdict, the files and the findings: what a diff and a series report both show.
fn check_head(r: &Rendered, json: &Value, files: &[String]) {
    let first = r.root.elements().next().unwrap();
    assert_eq!(first.name, "p");
    assert_eq!(
        first.text(),
        short(str_of(&json["verdict"])),
        "{}",
        r.markdown
    );
    let shown: Vec<String> = tables(&r.root)[0]
        .1
        .iter()
        .map(|row| code_text(row[1]))
        .collect();
    assert_eq!(&shown, files);

    let findings = json["findings"].as_array().unwrap();
    let rows = table(
        &r.root,
        &["#", "holder", "gained", "objects", "what it gained"],
    );
    assert_eq!(rows.len(), findings.len(), "{}", r.markdown);
    let paths: Vec<String> = r
        .root
        .find_all("li")
        .iter()
        .map(|(_, li)| li.text())
        .collect();
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(row[0].text(), f["rank"].to_string());
        assert_eq!(code_text(row[1]), str_of(&f["label"]));
        assert_eq!(
            row[3].text(),
            thousands(f["gained_count"].as_u64().unwrap())
        );
        let mut parts: Vec<&Value> = f["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["internal"] == false)
            .collect();
        if parts.is_empty() {
            parts = f["parts"].as_array().unwrap().iter().collect();
        }
        let gained: Vec<String> = parts
            .iter()
            .take(3)
            .map(|p| {
                let count = thousands(p["count"].as_u64().unwrap());
                format!("{} ×{count}", str_of(&p["label"]))
            })
            .collect();
        assert_eq!(row[4].text(), short(&gained.join(", ")));
        let inside = str_of(&f["holder"]["inside_short"]);
        let mut path = format!(
            "#{} @{} {}",
            f["rank"],
            f["holder"]["id"],
            str_of(&f["holder"]["path"])
        );
        if !inside.is_empty() {
            path.push_str(&format!(", inside it {inside}"));
        }
        let also: Vec<&str> = f["also_held_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(str_of)
            .collect();
        if !also.is_empty() {
            let mut listed = also[..also.len().min(3)].join(", ");
            if also.len() > 3 {
                listed.push_str(&format!(" +{} more", also.len() - 3));
            }
            path.push_str(&format!(", also held by {}", short(&listed)));
        }
        assert!(paths.contains(&path), "{path:?} not in {paths:?}");
    }
    for (row, b) in table(&r.root, &["budget", "actual", "result"])
        .iter()
        .zip(json["budgets"].as_array().unwrap())
    {
        assert_eq!(code_text(row[0]), str_of(&b["budget"]));
    }
}

/// A two-snapshot report: [`check_markup`], [`check_head`], the clusters, lockstep groups,
/// classes and allocation sites as `--json` has them.
pub fn check_diff(r: &Rendered, json: &Value, files: &[String]) {
    check_markup(r);
    check_head(r, json, files);
    let clusters = json["clusters"].as_array().unwrap();
    let rows = table(
        &r.root,
        &["#", "kind", "cluster", "count", "shallow", "retained"],
    );
    for row in &rows {
        let rank: u64 = row[0].text().parse().unwrap();
        let c = clusters.iter().find(|c| c["rank"] == rank).unwrap();
        assert_eq!(row[1].text(), str_of(&c["kind"]));
        assert_eq!(row[3].text(), thousands(c["count"].as_u64().unwrap()));
        // The title is the label; a closure's `, created by …` is a line of its own.
        let title = code_text(row[2]);
        let label = short(str_of(&c["label"]));
        let label = label.split(", created by ").next().unwrap();
        assert!(title.starts_with(label), "{title:?}\n{c}");
    }
    for group in json["lockstep"].as_array().unwrap() {
        let unit = thousands(group["unit"].as_u64().unwrap());
        let start = format!("Likely allocated together: {unit} operations, each allocating ");
        let line = r
            .root
            .find_all("p")
            .into_iter()
            .map(|(_, p)| p.text())
            .find(|t| t.starts_with(&start))
            .unwrap_or_else(|| panic!("no {start:?} in\n{}", r.markdown));
        for m in group["members"].as_array().unwrap().iter().take(6) {
            let member = format!("{} {}", m["multiple"], str_of(&m["class"]));
            assert!(line.contains(&member), "{member:?} not in {line:?}");
        }
    }
    let classes = json["classes"].as_array().unwrap();
    let rows = table(&r.root, &["class", "count", "shallow", "retained"]);
    assert_eq!(rows.len(), classes.len().min(TOP));
    for (row, c) in rows.iter().zip(classes) {
        assert_eq!(code_text(row[0]), str_of(&c["name"]));
        assert_eq!(row[1].text(), thousands(c["count"].as_u64().unwrap()));
    }
}

/// A series report: [`check_markup`], [`check_head`] and the growing classes and clusters.
pub fn check_series(r: &Rendered, json: &Value, files: &[String]) {
    check_markup(r);
    check_head(r, json, files);
    let trends: Vec<_> = tables(&r.root)
        .into_iter()
        .filter(|(h, _)| h == &["name", "counts", "retained per step"])
        .collect();
    assert_eq!(trends.len(), 2, "{}", r.markdown);
    for ((_, rows), list) in trends.iter().zip(["classes", "clusters"]) {
        let growing: Vec<&Value> = json[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["growing"] == true)
            .collect();
        assert_eq!(rows.len(), growing.len().min(TOP));
        for (row, t) in rows.iter().zip(growing) {
            assert_eq!(code_text(row[0]), short(str_of(&t["name"])));
            let counts: Vec<String> = t["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| thousands(c.as_u64().unwrap()))
                .collect();
            assert_eq!(row[1].text(), counts.join(" → "));
        }
    }
}

/// A one-snapshot summary: [`check_markup`], its heading and its classes (`top` rows).
pub fn check_summary(r: &Rendered, json: &Value, file: &str, top: usize) {
    check_markup(r);
    let (_, heading) = r.root.find_all("h3")[0];
    assert_eq!(heading.text(), format!("heapdiff summary: {file}"));
    let classes = json["classes"].as_array().unwrap();
    let rows = table(
        &r.root,
        &["class", "distance", "count", "shallow", "retained"],
    );
    assert_eq!(rows.len(), classes.len().min(top));
    for (row, c) in rows.iter().zip(classes) {
        assert_eq!(code_text(row[0]), str_of(&c["name"]));
        assert_eq!(row[2].text(), thousands(c["count"].as_u64().unwrap()));
    }
}

/// `--group-by stack`: the sites' functions, positions and counts as `--json` has them.
pub fn check_sites(r: &Rendered, json: &Value) {
    let sites = json["allocation_sites"].as_array().unwrap();
    let rows = table(&r.root, &["#", "allocated in", "objects", "shallow"]);
    assert_eq!(rows.len(), sites.len().min(TOP));
    assert!(!rows.is_empty());
    for (row, s) in rows.iter().zip(sites) {
        let frame = code_text(row[1]);
        let function = match str_of(&s["function"]) {
            "" => "(anonymous)",
            f => f,
        };
        assert!(frame.starts_with(function), "{frame:?}\n{s}");
        if !str_of(&s["script"]).is_empty() {
            let position = format!(":{}:{})", s["line"], s["column"]);
            assert!(frame.ends_with(&position), "{frame:?}\n{s}");
        }
        assert_eq!(row[2].text(), thousands(s["live_count"].as_u64().unwrap()));
    }
}
