//! A series page's trends: a chart card per group that grew at every step (leaving out those
//! that grew too little to matter), and the table of every class or cluster.

use std::path::Path;

use super::chart::{bytes_label, trend_chart};
use super::esc;
use super::parts::{num, table};
use crate::report::layout::{held_by, short_paths, trend_title};
use crate::report::{SeriesReport, TrendReport, signed_bytes, signed_count, thousands};

/// A growing group gets no chart card when it gains, per step, fewer objects than this…
const NEGLIGIBLE_COUNT: f64 = 10.0;
/// …and fewer retained bytes than this or than [`NEGLIGIBLE_SHARE`] of the heap's growth.
const NEGLIGIBLE_BYTES: f64 = 1000.0;
const NEGLIGIBLE_SHARE: f64 = 0.01;
/// Most chart cards a section shows.
const MAX_CHARTS: usize = 24;
/// Names of left-out groups quoted in the note saying how many were left out.
const NAMED_LEFT_OUT: usize = 3;

/// What the charts of one series share: the snapshots' labels (`#1`…) and file names, and
/// how much the heap grew per step.
pub(super) struct SeriesFrame {
    pub labels: Vec<String>,
    pub files: Vec<String>,
    pub heap_growth_per_step: f64,
}

impl SeriesFrame {
    /// The frame of `r`, whose snapshots are labelled `labels`.
    pub(super) fn of(r: &SeriesReport, labels: &[String]) -> SeriesFrame {
        let first = r.snapshots.first().map_or(0, |s| s.total_size);
        let last = r.snapshots.last().map_or(0, |s| s.total_size);
        let steps = r.snapshots.len().saturating_sub(1).max(1);
        SeriesFrame {
            labels: labels.to_vec(),
            files: r.snapshots.iter().map(|s| s.file.clone()).collect(),
            heap_growth_per_step: last.saturating_sub(first) as f64 / steps as f64,
        }
    }

    /// Retained bytes per step under which a group that gains few objects is not charted.
    fn negligible_bytes(&self) -> f64 {
        NEGLIGIBLE_BYTES.max(NEGLIGIBLE_SHARE * self.heap_growth_per_step)
    }

    /// Whether `t` grew too little to be worth a card (a string like `"79"`, one more a step).
    fn negligible(&self, t: &TrendReport) -> bool {
        t.count_slope < NEGLIGIBLE_COUNT && t.retained_slope < self.negligible_bytes()
    }
}

/// A count per step as the text report writes it (`+270`, `+6.0`, `0`), and below one object
/// a step the whole change as well: `+0.3 (1 in 3 steps)`.
pub(super) fn per_step_count(slope: f64, steps: usize) -> String {
    let sign = if slope < 0.0 { "\u{2212}" } else { "+" };
    let shown = if slope == 0.0 {
        "0".to_string()
    } else if slope.abs() >= 10.0 {
        signed_count(slope.round() as i64)
    } else if slope.abs() < 0.05 {
        format!("{sign}<0.1")
    } else {
        format!("{sign}{:.1}", slope.abs())
    };
    if slope == 0.0 || slope.abs() >= 1.0 || steps == 0 {
        return shown;
    }
    let total = (slope.abs() * steps as f64).round() as u64;
    let sign = if slope < 0.0 { "\u{2212}" } else { "" };
    format!("{shown} ({sign}{} in {steps} steps)", thousands(total))
}

/// A chart card per group that grew at every step, and a note (`left-out-{id}`) naming how
/// many grew too little to be charted.
pub(super) fn growing_charts(
    id: &str,
    title: &str,
    list: &[TrendReport],
    frame: &SeriesFrame,
    cwd: Option<&Path>,
) -> String {
    let (charted, left_out): (Vec<&TrendReport>, Vec<&TrendReport>) = list
        .iter()
        .filter(|t| t.growing)
        .partition(|t| !frame.negligible(t));
    if charted.is_empty() && left_out.is_empty() {
        return String::new();
    }
    let steps = frame.labels.len().saturating_sub(1);
    let mut out = format!("<h3>{}</h3>\n<div class=\"charts\">\n", esc(title));
    for t in charted.iter().take(MAX_CHARTS) {
        let held = short_paths(&t.paths, t.paths_sampled)
            .first()
            .map(|p| {
                format!(
                    "<p class=\"mono\">held by {}</p>",
                    esc(&held_by(p, t.paths_sampled, cwd))
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<figure class=\"card\"><figcaption><code>{}</code></figcaption>{}\
             <p class=\"rate\">{} objects and {} retained per step</p>{held}</figure>\n",
            esc(&trend_title(t, cwd).0),
            trend_chart(t, &frame.labels, &frame.files),
            esc(&per_step_count(t.count_slope, steps)),
            esc(&signed_bytes(t.retained_slope.round() as i64))
        ));
    }
    out.push_str("</div>\n");
    if charted.len() > MAX_CHARTS {
        out.push_str(&format!(
            "<p class=\"note\">{} more are in the table below.</p>\n",
            thousands((charted.len() - MAX_CHARTS) as u64)
        ));
    }
    if !left_out.is_empty() {
        out.push_str(&left_out_note(id, &left_out, frame, cwd));
    }
    out
}

/// `2 more grew at every step, each by under 1 kB and 10 objects a step ("79", "113"), too
/// little to chart; the table below lists them.`
fn left_out_note(
    id: &str,
    left_out: &[&TrendReport],
    frame: &SeriesFrame,
    cwd: Option<&Path>,
) -> String {
    let mut names: Vec<String> = left_out
        .iter()
        .take(NAMED_LEFT_OUT)
        .map(|t| trend_title(t, cwd).0)
        .collect();
    if left_out.len() > NAMED_LEFT_OUT {
        names.push("\u{2026}".to_string());
    }
    format!(
        "<p class=\"note\" id=\"left-out-{id}\">{} more grew at every step, each by under {} and \
         {} objects a step ({}): too little to chart; the table below lists them.</p>\n",
        thousands(left_out.len() as u64),
        bytes_label(frame.negligible_bytes() as u64),
        NEGLIGIBLE_COUNT,
        esc(&names.join(", "))
    )
}

/// A small line chart of `values`.
fn sparkline_svg(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = 80.0 / (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", i as f64 * step, 18.0 - v as f64 / max * 16.0))
        .collect();
    format!(
        "<svg class=\"spark\" width=\"82\" height=\"20\" viewBox=\"0 0 82 20\" aria-hidden=\"true\">\
         <polyline points=\"{}\"></polyline></svg>",
        points.join(" ")
    )
}

/// Every class or cluster of the series: whether it grew at every step, its counts, and its
/// growth per step.
pub(super) fn trends_table(
    id: &str,
    title: &str,
    list: &[TrendReport],
    max: usize,
    cwd: Option<&Path>,
) -> String {
    let rows: Vec<String> = list
        .iter()
        .take(max)
        .map(|t| {
            let (title, origin) = trend_title(t, cwd);
            let mut name = format!("<code>{}</code>", esc(&title));
            if let Some(origin) = origin {
                name.push_str(&format!("<br><span class=\"mono\">{}</span>", esc(&origin)));
            }
            if let Some(p) = short_paths(&t.paths, t.paths_sampled).first() {
                name.push_str(&format!(
                    "<br><span class=\"mono\">held by {}</span>",
                    esc(&held_by(p, t.paths_sampled, cwd))
                ));
            }
            let counts: Vec<String> = t.counts.iter().map(|&c| thousands(c)).collect();
            let steps = t.counts.len().saturating_sub(1);
            format!(
                "<td data-value=\"{}\">{}</td><td>{name}</td><td>{}</td><td class=\"mono\">{}</td>{}{}",
                u8::from(t.growing),
                if t.growing { "\u{2191}" } else { "" },
                sparkline_svg(&t.counts),
                esc(&counts.join(" → ")),
                num(t.count_slope, &per_step_count(t.count_slope, steps)),
                num(t.retained_slope, &signed_bytes(t.retained_slope.round() as i64))
            )
        })
        .collect();
    let mut out = format!("<h2 id=\"{id}\">{}</h2>\n", esc(title));
    let growing = list.iter().filter(|t| t.growing).count();
    out.push_str(&format!(
        "<p>{} growing at every step.</p>\n",
        thousands(growing as u64)
    ));
    out.push_str(&table(
        &format!("{id}-table"),
        &[
            ("Growing", true),
            ("Name", false),
            ("Trend", false),
            ("Counts", false),
            ("Per step", true),
            ("Retained per step", true),
        ],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_step_read_as_counts() {
        assert_eq!(per_step_count(270.3, 3), "+270");
        assert_eq!(per_step_count(-52.6, 3), "\u{2212}53");
        assert_eq!(per_step_count(6.0, 3), "+6.0");
        assert_eq!(per_step_count(0.0, 3), "0");
        assert_eq!(per_step_count(1.0 / 3.0, 3), "+0.3 (1 in 3 steps)");
        assert_eq!(
            per_step_count(-2.0 / 3.0, 3),
            "\u{2212}0.7 (\u{2212}2 in 3 steps)"
        );
        assert_eq!(per_step_count(1.0 / 30.0, 30), "+<0.1 (1 in 30 steps)");
    }

    fn trend(name: &str, counts: [u64; 4], retained: [u64; 4]) -> TrendReport {
        TrendReport {
            key: name.to_string(),
            name: name.to_string(),
            counts: counts.to_vec(),
            self_sizes: retained.to_vec(),
            retained_sizes: retained.to_vec(),
            growing: counts.windows(2).all(|w| w[1] > w[0]),
            count_slope: (counts[3] - counts[0]) as f64 / 3.0,
            retained_slope: (retained[3] - retained[0]) as f64 / 3.0,
            paths: Vec::new(),
            paths_sampled: 0,
            kind: Some("strings"),
            site: None,
        }
    }

    #[test]
    fn groups_that_grew_too_little_get_no_card_and_are_counted() {
        let frame = SeriesFrame {
            labels: (1..=4).map(|i| format!("#{i}")).collect(),
            files: vec![String::new(); 4],
            heap_growth_per_step: 20_000.0,
        };
        let list = [
            trend("Leaky", [0, 100, 200, 300], [0, 6400, 12_800, 19_200]),
            trend("\"79\"", [0, 1, 2, 3], [0, 16, 32, 48]),
            trend("\"113\"", [1, 2, 3, 4], [16, 32, 48, 64]),
            // Few objects but many bytes: a big buffer a step is worth a card.
            trend("Buffer", [0, 1, 2, 3], [0, 50_000, 100_000, 150_000]),
        ];
        let page = growing_charts("clusters", "Clusters", &list, &frame, None);
        assert_eq!(page.matches("<figure").count(), 2);
        assert!(page.contains("<code>Leaky</code>") && page.contains("<code>Buffer</code>"));
        assert!(!page.contains("<code>&quot;79&quot;</code>"));
        assert!(page.contains(
            "2 more grew at every step, each by under 1 kB and 10 objects a step \
             (&quot;79&quot;, &quot;113&quot;)"
        ));
        // A heap growing by 1 MB a step raises the bar to 1% of it.
        let big = SeriesFrame {
            heap_growth_per_step: 1e6,
            ..frame
        };
        assert!(!big.negligible(&list[0]) && big.negligible(&list[1]));
        assert_eq!(big.negligible_bytes(), 10_000.0);
    }
}
