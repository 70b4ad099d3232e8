//! "Memory outside the JS heap": the lines the text report prints, and a chart of each
//! snapshot's memory stacked as JS heap, ArrayBuffers and native objects, with the process's
//! RSS beside each bar when it was recorded.

use super::chart::{bytes_label, intervals_for, ticks};
use super::esc;
use crate::leaks::memory::MemorySplit;
use crate::report::{SnapshotInfo, human_bytes};

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 22.0;

/// The section, or nothing when memory outside the heap did not change notably.
pub(super) fn memory_section(snapshots: &[(&str, &SnapshotInfo)], m: &MemorySplit) -> String {
    let each: Vec<_> = snapshots.iter().map(|(_, s)| s.off_heap).collect();
    let lines = crate::report::memory::memory_lines(m, &each);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("<h2 id=\"memory\">Memory outside the JS heap</h2>\n");
    out.push_str(&split_chart(snapshots));
    for line in lines {
        let class = if line.starts_with("note:") {
            "note"
        } else {
            "memory"
        };
        out.push_str(&format!("<p class=\"{class}\">{}</p>\n", esc(&line)));
    }
    out
}

/// One stacked bar per snapshot (JS heap, ArrayBuffers, native) and a tick for its RSS.
fn split_chart(snapshots: &[(&str, &SnapshotInfo)]) -> String {
    let parts = |s: &SnapshotInfo| {
        let off = &s.off_heap;
        [
            s.total_size.saturating_sub(off.bytes()),
            off.array_buffer_bytes,
            off.native_bytes,
        ]
    };
    let max = snapshots
        .iter()
        .map(|(_, s)| {
            parts(s)
                .iter()
                .sum::<u64>()
                .max(s.process.map_or(0, |p| p.rss))
        })
        .max()
        .unwrap_or(0);
    let intervals = intervals_for(max);
    let axis = ticks(max, intervals);
    let top = axis.last().copied().unwrap_or(1).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let slot = plot_w / snapshots.len().max(1) as f64;
    let bar_w = (slot * 0.45).min(36.0);
    let y = |bytes: u64| base - bytes as f64 / top * plot_h;
    let with_rss = snapshots.iter().any(|(_, s)| s.process.is_some());
    let mut out = format!(
        "<svg class=\"memory\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"each snapshot's JS heap, ArrayBuffers and native memory, stacked{}\">",
        if with_rss {
            ", and the process's RSS"
        } else {
            ""
        }
    );
    out.push_str("<g class=\"legend\">");
    let mut x = LEFT;
    let mut legend = vec![
        ("js", "JS heap"),
        ("buffers", "ArrayBuffers"),
        ("native", "native"),
    ];
    if with_rss {
        legend.push(("rss", "process RSS"));
    }
    for (class, name) in legend {
        out.push_str(&format!(
            "<rect class=\"{class}\" x=\"{x:.0}\" y=\"8\" width=\"10\" height=\"10\"></rect>\
             <text x=\"{:.0}\" y=\"17\">{name}</text>",
            x + 14.0
        ));
        x += 22.0 + name.len() as f64 * 6.2;
    }
    out.push_str("</g>");
    for &tick in &axis {
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\"></line>\
             <text class=\"tick\" x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"end\">{4}</text>",
            y(tick),
            WIDTH - RIGHT,
            LEFT - 4.0,
            y(tick) + 3.5,
            bytes_label(tick)
        ));
    }
    for (i, (label, s)) in snapshots.iter().enumerate() {
        let center = LEFT + slot * (i as f64 + 0.5);
        let mut below = 0;
        for (class, bytes) in ["js", "buffers", "native"].iter().zip(parts(s)) {
            out.push_str(&format!(
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\">\
                 <title>{}: {class_name} {}</title></rect>",
                center - bar_w / 2.0,
                y(below + bytes),
                y(below) - y(below + bytes),
                esc(label),
                human_bytes(bytes),
                class_name = match *class {
                    "js" => "JS heap",
                    "buffers" => "ArrayBuffers",
                    _ => "native",
                }
            ));
            below += bytes;
        }
        if let Some(p) = s.process {
            out.push_str(&format!(
                "<line class=\"rss\" x1=\"{:.1}\" y1=\"{2:.1}\" x2=\"{:.1}\" y2=\"{2:.1}\">\
                 <title>{3}: process RSS {4}</title></line>",
                center - bar_w * 0.8,
                center + bar_w * 0.8,
                y(p.rss),
                esc(label),
                human_bytes(p.rss)
            ));
        }
        out.push_str(&format!(
            "<text class=\"tick\" x=\"{center:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<title>{}</title></text>",
            base + 14.0,
            esc(label),
            esc(&s.file)
        ));
    }
    out.push_str(&format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\"></line></svg>\n",
        WIDTH - RIGHT
    ));
    out
}
