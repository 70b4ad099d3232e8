//! Text tables of allocation sites (`--group-by stack`): a diff's new objects by the function
//! that allocated them, and one snapshot's Allocation view (DevTools' rows).

use super::fit::finish;
use super::layout::{Layout, frame_text, plural, site_allocated_by, untraced_note};
use super::table::new_table;
use super::{AllocationSiteReport, human_bytes, thousands};

/// Where a diff's `total` new objects were allocated, most bytes first, and how many of them
/// (`untraced`) have no stack.
pub(super) fn new_objects_by_site(
    out: &mut String,
    sites: &[AllocationSiteReport],
    (untraced, total): (u64, u64),
    layout: &Layout,
) {
    let cwd = layout.cwd.as_deref();
    out.push_str("\nNew objects by allocation site (the innermost frame of their stacks)\n");
    if sites.is_empty() {
        out.push_str("(none: no new object has an allocation stack)\n");
        return;
    }
    let table = new_table(&["#", "Allocated in", "Objects", "Shallow"]);
    let rows: Vec<Vec<String>> = sites
        .iter()
        .take(layout.top)
        .enumerate()
        .map(|(i, s)| {
            let mut text = frame_text(&s.top.frame, cwd);
            if let Some(by) = site_allocated_by(s, cwd) {
                text.push('\n');
                text.push_str(&by);
            }
            if !s.classes.is_empty() {
                let classes: Vec<String> = s
                    .classes
                    .iter()
                    .map(|c| format!("{} ×{}", c.name, thousands(c.count)))
                    .collect();
                text.push_str(&format!("\n{}", classes.join(", ")));
            }
            vec![
                (i + 1).to_string(),
                text,
                thousands(s.top.live_count),
                human_bytes(s.top.live_size),
            ]
        })
        .collect();
    out.push_str(&finish(table, &[1], &[1], &rows, layout));
    more_sites(out, sites.len(), layout.top);
    if untraced > 0 {
        out.push_str(&untraced_note(untraced, total, "new objects"));
        out.push('\n');
    }
}

/// DevTools' Allocation view of one snapshot: every function that allocated, with all its
/// allocations and those still alive; `untraced` of the `total` objects have no stack.
pub(super) fn allocation_view(
    out: &mut String,
    tops: &[AllocationSiteReport],
    (untraced, total): (u64, u64),
    layout: &Layout,
) {
    let cwd = layout.cwd.as_deref();
    out.push_str("\nAllocation view (DevTools' Allocation perspective: the innermost frame)\n");
    let table = new_table(&["Function", "Allocations", "Size", "Live", "Live size"]);
    let rows: Vec<Vec<String>> = tops
        .iter()
        .take(layout.top)
        .map(|t| {
            vec![
                frame_text(&t.top.frame, cwd),
                thousands(t.top.count),
                human_bytes(t.top.size),
                thousands(t.top.live_count),
                human_bytes(t.top.live_size),
            ]
        })
        .collect();
    out.push_str(&finish(table, &[0], &[0], &rows, layout));
    more_sites(out, tops.len(), layout.top);
    if untraced > 0 {
        out.push_str(&untraced_note(untraced, total, "objects"));
        out.push('\n');
    }
}

fn more_sites(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        out.push_str(&format!(
            "({}; --top N shows more, --json shows all)\n",
            plural((total - shown) as u64, "more site", "more sites")
        ));
    }
}
