//! What the text renderers (table, markdown) share: the layout a user asked for, which
//! clusters a report shows, and script paths made short. Selection and display only.

use std::path::{Path, PathBuf};

use crate::analysis::stacks::Frame;

use super::{
    AllocatedBy, AllocationSiteReport, BudgetReport, ClusterReport, DiffReport, IgnoredReport,
    LockstepReport, PathReport, SiteReport, SnapshotInfo, TrendReport, human_bytes, thousands,
};

/// How a text report is laid out.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Rows shown per table.
    pub top: usize,
    /// Width to fit tables to, if known.
    pub width: Option<u16>,
    /// Clusters whose retainer paths are shown; `None`: every cluster shown.
    pub paths: Option<usize>,
    /// Clusters retaining less are folded into one line; `None`: [`default_min_size`].
    pub min_size: Option<u64>,
    /// Scripts below this directory are shown relative to it.
    pub cwd: Option<PathBuf>,
    /// Show only this cluster, in full: its rank or text of its label.
    pub cluster: Option<String>,
}

/// The smallest cluster a report lists by default: 1 kB, or 0.1% of the new objects'
/// retained bytes when that is more.
pub fn default_min_size(new_retained: u64) -> u64 {
    (new_retained / 1000).max(1000)
}

/// The clusters a text report lists, and the count and retained bytes of those folded away
/// as small.
pub struct ShownClusters<'r> {
    pub shown: Vec<&'r ClusterReport>,
    pub small_count: u64,
    pub small_retained: u64,
    pub min_size: u64,
}

/// `--cluster`: the cluster of that rank, or the first whose label holds that text.
pub fn find_cluster<'r>(r: &'r DiffReport, wanted: &str) -> Result<&'r ClusterReport, String> {
    let found = match wanted.parse::<u64>() {
        Ok(rank) => r.clusters.iter().find(|c| c.rank == rank),
        Err(_) if wanted.trim().is_empty() => None,
        Err(_) => r.clusters.iter().find(|c| c.label.contains(wanted)),
    };
    found.ok_or_else(|| {
        format!(
            "--cluster {wanted}: no cluster has that rank or label (ranks 1 to {})",
            r.clusters.len()
        )
    })
}

/// The clusters to list: the first `top` of those retaining at least the minimum size.
pub fn shown_clusters<'r>(r: &'r DiffReport, layout: &Layout) -> ShownClusters<'r> {
    let min_size = layout
        .min_size
        .unwrap_or_else(|| default_min_size(r.between.retained_size));
    let (big, small): (Vec<&ClusterReport>, Vec<&ClusterReport>) =
        r.clusters.iter().partition(|c| c.retained_size >= min_size);
    ShownClusters {
        shown: big.into_iter().take(layout.top).collect(),
        small_count: small.len() as u64,
        small_retained: small.iter().map(|c| c.retained_size).sum(),
        min_size,
    }
}

/// A cluster's path shapes as a text report shows them: short forms, shapes that read the
/// same merged, most common first; a path that a single one of many sampled members has (an
/// allocation site's last object, say) is left out.
pub fn short_paths(paths: &[PathReport], sampled: u64) -> Vec<PathReport> {
    let mut merged: Vec<PathReport> = Vec::new();
    for p in paths.iter().filter(|p| p.count > 1 || sampled < 20) {
        match merged.iter_mut().find(|m| m.short == p.short) {
            Some(m) => {
                m.count += p.count;
                m.below_member += p.below_member;
                m.subtree_retained += p.subtree_retained;
            }
            None => merged.push(p.clone()),
        }
    }
    merged.sort_by_key(|p| std::cmp::Reverse(p.count));
    merged
}

/// `text` with script paths made short: `…/node_modules/ajv/dist/x.js` → `ajv/dist/x.js`,
/// paths below `cwd` relative to it, `file://` dropped from local paths.
pub fn short_scripts(text: &str, cwd: Option<&Path>) -> String {
    let cwd = cwd
        .and_then(|c| c.to_str())
        .map(|c| c.trim_end_matches('/'));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = next_path_start(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let tail = tail.strip_prefix("file://").unwrap_or(tail);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | ',' | '"' | ':'))
            .unwrap_or(tail.len());
        let path = &tail[..end];
        let short = if let Some(i) = path.rfind("/node_modules/") {
            &path[i + "/node_modules/".len()..]
        } else if let Some(dir) = cwd.filter(|c| !c.is_empty())
            && let Some(inner) = path.strip_prefix(dir).and_then(|p| p.strip_prefix('/'))
        {
            inner
        } else {
            path
        };
        out.push_str(short);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Where the next absolute path (`/…` or `file:///…`) starts: at the start of `text` or after
/// a space, `(` or `"`.
fn next_path_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| {
        let at_boundary = i == 0 || matches!(bytes[i - 1], b' ' | b'(' | b'"');
        at_boundary
            && (bytes[i] == b'/' && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphanumeric())
                || text[i..].starts_with("file:///"))
    })
}

/// How paths read, printed under them (a series has no overlap marks: [`SERIES_LEGEND`]).
pub const PATH_LEGEND: &str = "paths: .x property, ->x variable of a scope, [] element, \
{x} internal field, [key] dictionary entry, … hops left out (--json has every hop); \
N/M: N of M sampled members; (system roots only): held by engine roots (stack, handles) \
alone; ⊃ #N: this cluster holds most of cluster N (sizes overlap)";

/// [`PATH_LEGEND`] without the overlap mark, for a series.
pub const SERIES_LEGEND: &str = "paths: .x property, ->x variable of a scope, [] element, \
{x} internal field, [key] dictionary entry, … hops left out (--json has every hop); \
N/M: N of M sampled members; (system roots only): held by engine roots (stack, handles) \
alone";

/// A cluster's first line: its closure site or label, scripts made short.
pub fn cluster_title(c: &ClusterReport, cwd: Option<&Path>) -> String {
    let mut title = site_title(&c.label, c.site.as_ref(), c.kind, cwd);
    if !c.contains.is_empty() {
        // A long list is cut: its first ranks and how many more.
        let shown = if c.contains.len() > 8 { 6 } else { 8 };
        let mut ranks: Vec<String> = c
            .contains
            .iter()
            .take(shown)
            .map(|r| format!("#{r}"))
            .collect();
        if c.contains.len() > shown {
            ranks.push(format!("+{} more", c.contains.len() - shown));
        }
        title.push_str(&format!("  \u{2283} {}", ranks.join(" ")));
    }
    title
}

/// A group's name: for closures, their function and where it is; else `label`.
pub fn site_title(
    label: &str,
    site: Option<&SiteReport>,
    kind: &str,
    cwd: Option<&Path>,
) -> String {
    let title = match (site, kind) {
        (Some(s), "closures") => format!("{} @ {}:{}:{}", s.function, s.script, s.line, s.column),
        _ => label.to_string(),
    };
    short_scripts(&title, cwd)
}

/// Where a cluster's objects come from, when known beyond its title: the function that
/// compiled eval'd closures, or an object's constructor.
pub fn cluster_origin(c: &ClusterReport, cwd: Option<&Path>) -> Option<String> {
    site_origin(c.site.as_ref()?, c.kind, cwd)
}

/// Where a group of `kind` with site `s` comes from, beyond its title ([`cluster_origin`]).
pub fn site_origin(s: &SiteReport, kind: &str, cwd: Option<&Path>) -> Option<String> {
    let text = match (&s.created_by, kind) {
        (Some(by), _) => format!("created by {by}"),
        (None, "closures") => return None,
        (None, _) => format!(
            "constructor {} @ {}:{}:{}",
            s.function, s.script, s.line, s.column
        ),
    };
    Some(short_scripts(&text, cwd))
}

/// A series row's name: a class's, or a cluster's as a pair names it ([`site_title`]), and
/// where the cluster's objects come from ([`site_origin`]).
pub fn trend_title(t: &TrendReport, cwd: Option<&Path>) -> (String, Option<String>) {
    let kind = t.kind.unwrap_or("objects");
    let title = site_title(&t.name, t.site.as_ref(), kind, cwd);
    let origin = t.site.as_ref().and_then(|s| site_origin(s, kind, cwd));
    (title, origin)
}

/// What a shareable report (markdown, HTML) says about the heap's strings in it.
pub fn redaction_note(redacted: bool) -> &'static str {
    if redacted {
        "Redacted: strings from the heap and the keys of dictionary objects are shown as \
         <string LENGTH B #HASH>; class, function, script and code's property names are kept."
    } else {
        "Not redacted: this report quotes strings from the heap; --redact replaces them with \
         placeholders."
    }
}

/// The object ids `(min, max]` of a timeline window, as the report says it.
pub fn id_window(min_id: u32, max_id: u32) -> String {
    if max_id == u32::MAX {
        format!("object ids above {}", thousands(min_id as u64))
    } else {
        format!(
            "object ids {} to {}",
            thousands(min_id as u64 + 1),
            thousands(max_id as u64)
        )
    }
}

/// A stack frame as `function (script:line:column)`, scripts shortened like paths'; eval'd
/// code as DevTools links it, by script id, and the function that compiled it:
/// `validate10 (<eval> VM2285:1:20, compiled by compileSchema (ajv/lib/compile/index.js:171:30))`.
pub fn frame_text(f: &Frame, cwd: Option<&Path>) -> String {
    let function = if f.function.is_empty() {
        "(anonymous)"
    } else {
        &f.function
    };
    if f.is_eval() {
        let origin = f
            .created_by
            .as_ref()
            .map(|by| format!(", compiled by {by}"))
            .unwrap_or_default();
        return short_scripts(
            &format!(
                "{function} (<eval> VM{}:{}:{}{origin})",
                f.script_id, f.line, f.column
            ),
            cwd,
        );
    }
    if f.script.is_empty() {
        return function.to_string();
    }
    short_scripts(
        &format!("{function} ({}:{}:{})", f.script, f.line, f.column),
        cwd,
    )
}

/// `N of M new objects (P%) have no allocation stack (…)`: what an allocation-site table
/// cannot show, said under it; `what` names the objects (`new objects`, `objects`).
pub fn untraced_note(untraced: u64, total: u64, what: &str) -> String {
    let share = match (untraced * 100 + total / 2).checked_div(total) {
        Some(0) => " (<1%)".to_string(),
        Some(percent) => format!(" ({percent}%)"),
        None => String::new(),
    };
    format!(
        "{} of {} {what}{share} have no allocation stack (allocated before tracking started \
         or by the engine)",
        thousands(untraced),
        thousands(total)
    )
}

/// `allocated by N/M handleOrder (app.js:12:3)`: the program's own function most members'
/// allocation stacks pass through; else the innermost frame of their commonest stack.
pub fn allocated_by(c: &ClusterReport, cwd: Option<&Path>) -> Option<String> {
    let a = c.allocation.as_ref()?;
    match &a.allocated_by {
        Some(by) => Some(allocated_by_text(by, c.count, cwd)),
        None => {
            let top = a.stacks.first()?;
            Some(format!(
                "allocated in {}/{} {} (no frame of the program's own code)",
                thousands(top.count),
                thousands(c.count),
                frame_text(top.frames.first()?, cwd)
            ))
        }
    }
}

/// `allocated by N/M handleOrder (app.js:12:3)` for an allocation site whose objects mostly
/// came through another function of the program's own code.
pub fn site_allocated_by(s: &AllocationSiteReport, cwd: Option<&Path>) -> Option<String> {
    let by = s.allocated_by.as_ref()?;
    Some(allocated_by_text(by, s.top.live_count, cwd))
}

/// `allocated by N/M FRAME`: `by.count` of `of` objects came through `by.frame`.
fn allocated_by_text(by: &AllocatedBy, of: u64, cwd: Option<&Path>) -> String {
    format!(
        "allocated by {}/{} {}",
        thousands(by.count),
        thousands(of),
        frame_text(&by.frame, cwd)
    )
}

/// `held by PATH (N/M)`, and how many of them sit in a subtree below another member.
pub fn held_by(p: &PathReport, sampled: u64, cwd: Option<&Path>) -> String {
    let mut text = format!(
        "{}/{}  {}",
        thousands(p.count),
        thousands(sampled),
        short_scripts(&p.short, cwd)
    );
    if p.system_only {
        text.push_str(" (system roots only)");
    }
    if p.below_member > 0 {
        text.push_str(&format!(
            " ({} of them below this member; its subtree retains {})",
            thousands(p.below_member),
            human_bytes(p.subtree_retained)
        ));
    }
    text
}

/// `100 operations, each allocating 2 ArrayBuffer, 2 Buffer, 1 {key}`.
pub fn lockstep_text(group: &LockstepReport, max: usize) -> String {
    let shown: Vec<String> = group
        .members
        .iter()
        .take(max)
        .map(|m| format!("{} {}", m.multiple, m.class))
        .collect();
    let rest = group.members.len().saturating_sub(max);
    let tail = match rest {
        0 => String::new(),
        1 => " and 1 more class".to_string(),
        n => format!(" and {n} more classes"),
    };
    format!(
        "{} operations, each allocating {}{tail}",
        thousands(group.unit),
        shown.join(", ")
    )
}

/// A budget's number: bytes in DevTools' units, counts with separators.
pub fn budget_value(b: &BudgetReport, value: i64) -> String {
    budget_number(b.bytes, value)
}

/// `value` as bytes in DevTools' units or as a count with separators, `−` when negative.
pub fn budget_number(bytes: bool, value: i64) -> String {
    let text = if bytes {
        human_bytes(value.unsigned_abs())
    } else {
        thousands(value.unsigned_abs())
    };
    if value < 0 {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// `1 class`, `3 classes`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `heap 3.6 MB (file 1.3 MB)`: DevTools' total, and the file's size when known.
pub fn sizes(s: &SnapshotInfo) -> String {
    match s.file_size {
        Some(f) => format!(
            "heap {} (file {})",
            human_bytes(s.total_size),
            human_bytes(f)
        ),
        None => format!("heap {}", human_bytes(s.total_size)),
    }
}

/// What `--ignore` left out, when it left out anything.
pub fn ignored_note(ig: &IgnoredReport) -> Option<String> {
    (ig.clusters + ig.findings + ig.classes > 0).then(|| {
        format!(
            "ignored (--ignore): {}, {}, {}",
            plural(ig.findings, "finding", "findings"),
            plural(ig.clusters, "cluster", "clusters"),
            plural(ig.classes, "class", "classes")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, script: &str, script_id: u32, line: u32, column: u32) -> Frame {
        Frame {
            function: function.to_string(),
            script: script.to_string(),
            script_id,
            line,
            column,
            generated: None,
            created_by: None,
        }
    }

    #[test]
    fn eval_frames_name_their_script_id_and_compiler() {
        let cwd = Path::new("/work/app");
        let mut validator = frame("validate10", "", 2285, 1, 20);
        assert_eq!(
            frame_text(&validator, Some(cwd)),
            "validate10 (<eval> VM2285:1:20)"
        );
        validator.created_by =
            Some("compileSchema (/work/app/node_modules/ajv/dist/compile/index.js:171:30)".into());
        assert_eq!(
            frame_text(&validator, Some(cwd)),
            "validate10 (<eval> VM2285:1:20, compiled by compileSchema \
             (ajv/dist/compile/index.js:171:30))"
        );
        assert_eq!(frame_text(&frame("(root)", "", 0, 0, 0), None), "(root)");
        assert_eq!(
            frame_text(&frame("", "/work/app/a.js", 7, 3, 9), Some(cwd)),
            "(anonymous) (a.js:3:9)"
        );
    }

    #[test]
    fn the_untraced_note_gives_a_share() {
        assert_eq!(
            untraced_note(58_845, 62_601, "new objects"),
            "58,845 of 62,601 new objects (94%) have no allocation stack (allocated before \
             tracking started or by the engine)"
        );
        assert!(untraced_note(22, 6_352, "new objects").contains("(<1%)"));
        assert!(!untraced_note(0, 0, "objects").contains('%'));
    }

    #[test]
    fn scripts_are_shown_short() {
        let cwd = Path::new("/work/app");
        assert_eq!(
            short_scripts(
                "validate* @ <eval>:3:17, created by compile (/work/app/node_modules/ajv/dist/compile/index.js:33:23)",
                Some(cwd)
            ),
            "validate* @ <eval>:3:17, created by compile (ajv/dist/compile/index.js:33:23)"
        );
        assert_eq!(
            short_scripts("listener @ /work/app/src/leak.js:54:35", Some(cwd)),
            "listener @ src/leak.js:54:35"
        );
        assert_eq!(
            short_scripts("run @ file:///work/app/a.mjs:1:2", Some(cwd)),
            "run @ a.mjs:1:2"
        );
        assert_eq!(
            short_scripts("x @ /elsewhere/b.js:1:1 and ->a/b", Some(cwd)),
            "x @ /elsewhere/b.js:1:1 and ->a/b"
        );
        assert_eq!(
            short_scripts("x @ http://localhost:8000/app.js:3:4", Some(cwd)),
            "x @ http://localhost:8000/app.js:3:4"
        );
        assert_eq!(short_scripts("12 / 40 kB", None), "12 / 40 kB");
    }
}
