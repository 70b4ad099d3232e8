//! Tables for people, with comfy-table: the largest classes first, sizes in DevTools' units.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use super::{SummaryReport, display_distance, human_bytes};

/// How a table is laid out.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Rows shown per table.
    pub top: usize,
    /// Terminal width to fit, if known.
    pub width: Option<u16>,
}

fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".to_string();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

fn new_table(header: &[&str], options: &TableOptions) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    match options.width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Renders the Summary view.
pub fn summary(r: &SummaryReport, options: &TableOptions) -> String {
    let mut out = format!(
        "{}: {} nodes, {} edges, total {} ({} bytes)\n",
        r.file,
        r.node_count,
        r.edge_count,
        human_bytes(r.total_size),
        r.total_size
    );
    let s = &r.statistics;
    out.push_str(&format!(
        "code {}, strings {}, JS arrays {}, typed arrays {}, system {}, other native {}\n",
        human_bytes(s.code),
        human_bytes(s.strings),
        human_bytes(s.js_arrays),
        human_bytes(s.typed_arrays),
        human_bytes(s.system),
        human_bytes(s.native_total.saturating_sub(s.typed_arrays)),
    ));
    for p in &r.problems {
        out.push_str(&format!("note: {p}\n"));
    }
    let mut table = new_table(
        &[
            "Class",
            "Distance",
            "Count",
            "Shallow size",
            "%",
            "Retained size",
            "%",
        ],
        options,
    );
    for c in r.classes.iter().take(options.top) {
        table.add_row(vec![
            Cell::new(&c.name),
            Cell::new(display_distance(c.distance)),
            Cell::new(c.count),
            Cell::new(human_bytes(c.self_size)),
            Cell::new(percent(c.self_size, r.total_size)),
            Cell::new(human_bytes(c.retained_size)),
            Cell::new(percent(c.retained_size, r.total_size)),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    if r.classes.len() > options.top {
        out.push_str(&format!(
            "({} more classes; --top N shows more, --json shows all)\n",
            r.classes.len() - options.top
        ));
    }
    out
}
