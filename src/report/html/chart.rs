//! The chart of a growing group across a series: retained bytes as bars on the left axis,
//! the object count as a line on the right axis, the snapshots (`#1`…`#N`) along the bottom,
//! and a legend naming both. Both axes share their gridlines so a reader can go across.

use super::esc;
use crate::report::{TrendReport, human_bytes, thousands};

/// Size of the drawing and the room kept around the plot for labels and the legend.
const WIDTH: f64 = 340.0;
const HEIGHT: f64 = 176.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 22.0;
/// Most intervals an axis is cut into; fewer when the values are small.
const MAX_INTERVALS: u64 = 4;
/// Most snapshot labels under the x axis; with more snapshots only every k-th is named.
const MAX_X_LABELS: usize = 12;

/// The smallest round step (1, 2, 2.5 or 5 times a power of ten, and at least 1) that is at
/// least `raw`, so that tick labels read as round numbers.
fn nice_step(raw: f64) -> u64 {
    let mut magnitude = 1u64;
    loop {
        for factor in [10, 20, 25, 50] {
            // 2.5 only where it stays a whole number.
            if factor == 25 && magnitude < 10 {
                continue;
            }
            let step = factor * magnitude / 10;
            if step >= 1 && step as f64 >= raw {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Ticks from 0 for values up to `max`, in `intervals` equal round steps (the last tick is
/// at or above `max`).
pub(super) fn ticks(max: u64, intervals: u64) -> Vec<u64> {
    let step = nice_step(max.max(1) as f64 / intervals as f64);
    (0..=intervals).map(|i| i * step).collect()
}

/// How many intervals the bytes axis needs: as few round steps as cover `max`, up to
/// [`MAX_INTERVALS`], and at least 2 so there is a tick between 0 and the top.
pub(super) fn intervals_for(max: u64) -> u64 {
    let step = nice_step(max.max(1) as f64 / MAX_INTERVALS as f64);
    max.max(1).div_ceil(step).clamp(2, MAX_INTERVALS)
}

/// A byte tick: `0 B`, `500 B`, `15 kB`, `2.5 MB` (no `.0`).
pub(super) fn bytes_label(value: u64) -> String {
    human_bytes(value).replace(".0 ", " ")
}

/// A count tick on an axis whose top tick is `top`: `300`, `5,000`; on an axis reaching
/// 10,000 or more, `5k`, `15k`, `2.5M`.
fn count_label(value: u64, top: u64) -> String {
    let short = |v: f64, unit: &str| format!("{}{unit}", format!("{v:.1}").trim_end_matches(".0"));
    match (top, value) {
        (0..10_000, _) | (_, 0..1000) => thousands(value),
        (_, 1000..1_000_000) => short(value as f64 / 1e3, "k"),
        _ => short(value as f64 / 1e6, "M"),
    }
}

/// The chart of `t`; `labels` name the snapshots (`#1`…) and `files` are shown on hover.
pub(super) fn trend_chart(t: &TrendReport, labels: &[String], files: &[String]) -> String {
    let n = t.counts.len().max(1);
    let intervals = intervals_for(t.retained_sizes.iter().copied().max().unwrap_or(0));
    let byte_ticks = ticks(
        t.retained_sizes.iter().copied().max().unwrap_or(0),
        intervals,
    );
    let count_ticks = ticks(t.counts.iter().copied().max().unwrap_or(0), intervals);
    let byte_top = byte_ticks.last().copied().unwrap_or(1).max(1) as f64;
    let count_top = count_ticks.last().copied().unwrap_or(1).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let slot = plot_w / n as f64;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let bar_w = (slot * 0.5).min(22.0);
    let mut out = format!(
        "<svg class=\"trend\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"retained bytes (bars, left axis) and object count (line, right \
         axis) at each snapshot\">"
    );
    out.push_str(
        "<g class=\"legend\"><rect class=\"swatch\" x=\"50\" y=\"6\" width=\"10\" height=\"10\"></rect>\
         <text x=\"64\" y=\"15\">retained (left)</text>\
         <line x1=\"160\" y1=\"11\" x2=\"176\" y2=\"11\"></line>\
         <text x=\"180\" y=\"15\">objects (right)</text></g>",
    );
    for (i, (&b, &c)) in byte_ticks.iter().zip(&count_ticks).enumerate() {
        let y = base - i as f64 * plot_h / intervals as f64;
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"></line>\
             <text class=\"tick y bytes\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <text class=\"tick y count\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 3.5,
            bytes_label(b),
            WIDTH - RIGHT + 4.0,
            y + 3.5,
            count_label(c, count_top as u64)
        ));
    }
    let every = n.div_ceil(MAX_X_LABELS);
    for (i, label) in labels.iter().enumerate().take(n) {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        out.push_str(&format!(
            "<text class=\"tick x\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<title>{}</title></text>",
            x(i),
            base + 14.0,
            esc(label),
            esc(files.get(i).map_or("", String::as_str))
        ));
    }
    for (i, &b) in t.retained_sizes.iter().enumerate() {
        let bar = b as f64 / byte_top * plot_h;
        out.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{bar:.1}\">\
             <title>{}: {} retained, {} objects</title></rect>",
            x(i) - bar_w / 2.0,
            base - bar,
            esc(labels.get(i).map_or("", String::as_str)),
            human_bytes(b),
            thousands(t.counts.get(i).copied().unwrap_or(0))
        ));
    }
    let points: Vec<String> = t
        .counts
        .iter()
        .enumerate()
        .map(|(i, &c)| format!("{:.1},{:.1}", x(i), base - c as f64 / count_top * plot_h))
        .collect();
    out.push_str(&format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\"></line>\
         <polyline class=\"count\" points=\"{}\"></polyline></svg>",
        WIDTH - RIGHT,
        points.join(" ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_and_cover_the_values() {
        assert_eq!(nice_step(0.25), 1);
        assert_eq!(nice_step(1.0), 1);
        assert_eq!(nice_step(1.5), 2);
        assert_eq!(nice_step(2.2), 5);
        assert_eq!(nice_step(75.0), 100);
        assert_eq!(nice_step(21.0), 25);
        assert_eq!(nice_step(2794.5), 5000);
        assert_eq!(ticks(300, 3), [0, 100, 200, 300]);
        assert_eq!(ticks(19_200, 4), [0, 5000, 10_000, 15_000, 20_000]);
        assert_eq!(ticks(0, 2), [0, 1, 2]);
        for max in [1, 7, 99, 1234, 391_280, 7_000_000_000] {
            let n = intervals_for(max);
            assert!((2..=MAX_INTERVALS).contains(&n));
            assert!(*ticks(max, n).last().unwrap() >= max, "{max}");
        }
    }

    #[test]
    fn a_long_series_names_some_snapshots_and_always_the_last() {
        let n = 30;
        let t = TrendReport {
            key: String::new(),
            name: String::new(),
            counts: (0..n).collect(),
            self_sizes: vec![0; n as usize],
            retained_sizes: (0..n).map(|i| i * 1000).collect(),
            growing: true,
            count_slope: 1.0,
            retained_slope: 1000.0,
            paths: Vec::new(),
            paths_sampled: 0,
            kind: None,
            site: None,
        };
        let labels: Vec<String> = (1..=n).map(|i| format!("#{i}")).collect();
        let svg = trend_chart(&t, &labels, &[]);
        let named = svg.matches("class=\"tick x\"").count();
        assert!((2..=MAX_X_LABELS + 1).contains(&named), "{named}");
        assert!(svg.contains(">#1<") && svg.contains(">#30<") && !svg.contains(">#2<"));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), n as usize);
    }

    #[test]
    fn tick_labels_use_human_units() {
        assert_eq!(bytes_label(0), "0 B");
        assert_eq!(bytes_label(15_000), "15 kB");
        assert_eq!(bytes_label(2_500_000), "2.5 MB");
        assert_eq!(count_label(300, 300), "300");
        assert_eq!(count_label(5000, 5000), "5,000");
        assert_eq!(count_label(5000, 15_000), "5k");
        assert_eq!(count_label(15_000, 15_000), "15k");
        assert_eq!(count_label(2_500_000, 3_000_000), "2.5M");
    }
}
