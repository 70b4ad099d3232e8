//! The findings as the reports show them: serializable structs built from the engine's
//! [`Finding`]s. Conversion only.

use serde::Serialize;

use super::{human_bytes, thousands};
use crate::leaks::clusters::names_no_source;
use crate::leaks::findings::{Evidence, Finding, Suspicion};
use crate::leaks::known::{Fingerprint, Standing};

/// One suspected leak: an old object (the holder) that keeps gaining new ones.
#[derive(Debug, Clone, Serialize)]
pub struct FindingReport {
    pub rank: u64,
    /// `growing` (three or more snapshots, grew at every step), `not-growing`, or
    /// `two-snapshots` (a third snapshot tells growth from a one-time fill).
    pub evidence: &'static str,
    pub growing: bool,
    /// With two snapshots: `one-time-fill` or `churn` when the holder looks like one;
    /// `in-flight` for the requests in flight at snapshot time (gathered into one finding).
    pub suspicion: Option<&'static str>,
    /// The holder and how its owner holds it: `MemoryStore .sessions → Object`.
    pub label: String,
    pub holder: HolderReport,
    /// Per step (between consecutive snapshots): bytes and count of the new objects the holder
    /// gained then and still has.
    pub step_bytes: Vec<u64>,
    pub step_counts: Vec<u64>,
    pub gained_bytes: u64,
    pub gained_count: u64,
    /// Of `gained_bytes`: memory outside the JS heap (ArrayBuffer backing stores, native
    /// objects) that the gained objects own.
    pub off_heap_bytes: u64,
    /// Per snapshot, where known: the holder's retained size and entries.
    pub retained_sizes: Vec<Option<u64>>,
    pub entries: Vec<Option<u32>>,
    /// The largest groups of what it gained.
    pub parts: Vec<PartReport>,
    /// Other holders of the same leak (their gains reference this one's), merged into it.
    pub also_held_by: Vec<String>,
    /// The code that made what it gained (the verdict's "made with"), when it is known.
    pub site: Option<FindingSite>,
    /// Stable across runs and machines (see `--baseline`): 16 hex digits.
    pub fingerprint: String,
    /// With `--baseline`: `known` (in it, within its growth factor), `grown` (in it, but
    /// gaining more) or `new`; `null` without a baseline.
    pub baseline: Option<&'static str>,
}

/// Where a function was defined: 1-based line and column, as in the parts' labels.
#[derive(Debug, Clone, Serialize)]
pub struct FindingSite {
    /// `Function NAME @ SCRIPT:LINE:COLUMN`, as the parts show it.
    pub label: String,
    pub function: String,
    /// A file path, a URL, or `<eval>` for code from `eval`/`new Function`.
    pub script: String,
    pub line: u32,
    pub column: u32,
    /// For eval'd code: the function that compiled it, `compile (app.js:12:5)`.
    pub created_by: Option<String>,
    /// Where V8 saw the function (1-based too), when a source map gave the place above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<crate::sources::Generated>,
    /// The npm package the code is in (`null`: the application's own).
    pub package: Option<String>,
}

/// The object a finding is about.
#[derive(Debug, Clone, Serialize)]
pub struct HolderReport {
    pub id: u32,
    pub class: String,
    /// From a root to the holder; repeated hops folded (`._idleNext ×240`).
    pub path: String,
    /// The same path, short: engine internals left out, from the nearest variable that holds
    /// it (`global … Function session ->store → MemoryStore .sessions → Object`).
    pub short_path: String,
    /// From the holder to where most of what it gained sits, when that is one place
    /// (`.todos .past → Array`); empty when the gains hang on the holder itself.
    pub inside: String,
    /// The same, engine internals left out; empty when only internals remain.
    pub inside_short: String,
}

/// A group of the new objects a holder gained.
#[derive(Debug, Clone, Serialize)]
pub struct PartReport {
    pub label: String,
    pub count: u64,
    pub self_size: u64,
    /// Engine internals (arrays, code, contexts) rather than what the program created.
    pub internal: bool,
}

impl FindingReport {
    pub(super) fn new(rank: usize, f: &Finding) -> FindingReport {
        FindingReport {
            rank: rank as u64,
            evidence: match f.evidence {
                Evidence::Growing => "growing",
                Evidence::NotGrowing => "not-growing",
                Evidence::TwoSnapshots => "two-snapshots",
            },
            growing: f.evidence == Evidence::Growing,
            suspicion: match f.suspicion {
                Suspicion::None => None,
                Suspicion::OneTimeFill => Some("one-time-fill"),
                Suspicion::Churn => Some("churn"),
                Suspicion::InFlight => Some("in-flight"),
            },
            label: f.label.clone(),
            holder: HolderReport {
                id: f.id,
                class: f.class_name.clone(),
                path: f.path.clone(),
                short_path: f.short_path.clone(),
                inside: f.inside.clone(),
                inside_short: f.inside_short.clone(),
            },
            step_bytes: f.step_bytes.clone(),
            step_counts: f.step_counts.clone(),
            gained_bytes: f.gained_bytes(),
            off_heap_bytes: f.off_heap_bytes,
            gained_count: f.gained_count(),
            retained_sizes: f.retained.clone(),
            entries: f.entries.clone(),
            parts: f
                .parts
                .iter()
                .map(|p| PartReport {
                    label: p.label.clone(),
                    count: p.count,
                    self_size: p.self_size,
                    internal: p.internal,
                })
                .collect(),
            also_held_by: f.also_held_by.clone(),
            site: f.site().map(|(label, s)| {
                // A cluster's site as the reports give it (1-based), with the finding's label.
                let place = super::SiteReport::from(s);
                FindingSite {
                    label,
                    function: place.function,
                    script: place.script,
                    line: place.line,
                    column: place.column,
                    created_by: place.created_by,
                    generated: place.generated,
                    package: place.package,
                }
            }),
            fingerprint: Fingerprint::of(f).hash(),
            baseline: f.standing.map(|s| match s {
                Standing::Known => "known",
                Standing::Grown => "grown",
                Standing::New => "new",
            }),
        }
    }

    /// What a report writes after the holder when it looks like no leak: ` (one-time fill?)`,
    /// ` (churning cache?)`, or nothing; against a baseline, whether it is a known leak.
    pub fn suspicion_note(&self) -> &'static str {
        if !self.baseline_note().is_empty() {
            return self.baseline_note();
        }
        match self.suspicion {
            Some("one-time-fill") => " (one-time fill?)",
            Some("churn") => " (churning cache?)",
            Some("in-flight") => " (requests in flight at snapshot time?)",
            _ => "",
        }
    }

    /// The holder and where inside it the gains sit: `Function Tn .instances → Object`.
    pub fn place(&self) -> String {
        if self.holder.inside_short.is_empty() {
            self.label.clone()
        } else {
            format!("{} {}", self.label, self.holder.inside_short)
        }
    }

    /// Against `--baseline`: ` (known leak: in the baseline)`, ` (known leak, grown past the
    /// baseline)`, or nothing.
    pub fn baseline_note(&self) -> &'static str {
        match self.baseline {
            Some("known") => " (known leak: in the baseline)",
            Some("grown") => " (known leak, grown past the baseline)",
            _ => "",
        }
    }

    /// `A, B +2 more`: the other holders of the same leak merged into this finding, or None.
    pub fn also_held_summary(&self, max: usize) -> Option<String> {
        if self.also_held_by.is_empty() {
            return None;
        }
        let mut text = self
            .also_held_by
            .iter()
            .take(max)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.also_held_by.len() > max {
            text.push_str(&format!(" +{} more", self.also_held_by.len() - max));
        }
        Some(text)
    }

    /// `(string) ×600, Object ×200`: the user-visible parts, or all when there are none.
    pub fn parts_summary(&self, max: usize) -> String {
        let visible: Vec<&PartReport> = self.parts.iter().filter(|p| !p.internal).collect();
        let shown: Vec<&PartReport> = if visible.is_empty() {
            self.parts.iter().collect()
        } else {
            visible
        };
        shown
            .iter()
            .take(max)
            .map(|p| format!("{} \u{d7}{}", p.label, thousands(p.count)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Classes that only hold other objects: a finding's first line names what is in them when it
/// can.
const PLAIN_CONTAINERS: [&str; 4] = ["Array", "Object", "Map", "Set"];

/// The report's first line: what most likely leaks, in words a person can act on, or why no
/// finding can be called a leak.
pub fn verdict_of(findings: &[FindingReport]) -> String {
    let Some(f) = findings.first() else {
        return "No leak found: no object alive in every snapshot gained new objects".to_string();
    };
    let snapshots = f.step_bytes.len() + 1;
    let steps = f.step_bytes.len().max(1) as u64;
    let place = f.place();
    // Engine built-ins (`native_bind [native code]`), V8's categories (`(string)`) and plain
    // containers (`Array`) say less than the program's own objects, shapes and closures.
    let mut visible: Vec<&PartReport> = f.parts.iter().filter(|p| !p.internal).collect();
    visible.sort_by_key(|p| {
        (
            names_no_source(&p.label),
            p.label.starts_with('('),
            PLAIN_CONTAINERS.contains(&p.label.as_str()),
        )
    });
    let unit = visible.first().copied().or(f.parts.first()).map(|p| {
        let code = visible
            .iter()
            .find(|c| {
                c.label.starts_with("Function ") && c.label != p.label && !names_no_source(&c.label)
            })
            .map(|c| format!(" (made with {})", c.label))
            .unwrap_or_default();
        format!(
            "{} \u{d7}{}{code}",
            p.label,
            thousands(p.count.div_ceil(steps))
        )
    });
    // One step (two snapshots): what it gained, not a rate.
    let rate = if snapshots == 2 { "" } else { " per step" };
    // The npm package whose code made it, when not the program's own.
    let package = f
        .site
        .as_ref()
        .and_then(|s| s.package.as_deref())
        .map(|p| format!(" (from {p})"))
        .unwrap_or_default();
    let keeps = unit
        .map(|u| format!(" gains {u}{rate}{package},"))
        .unwrap_or_default();
    let per_step = human_bytes(f.gained_bytes / steps);
    // How much of it is outside the JS heap, when that is a tenth or more.
    let off = if f.off_heap_bytes > 0 && f.off_heap_bytes * 10 >= f.gained_bytes {
        let share = f.off_heap_bytes * 100 / f.gained_bytes.max(1);
        format!(" ({share}% off the JS heap)")
    } else {
        String::new()
    };
    if f.growing {
        format!(
            "Likely leak: {place}{keeps} +{per_step} per step{off} \u{2014} grew at each of {} steps{}",
            f.step_bytes.len(),
            f.baseline_note()
        )
    } else if f.suspicion == Some("in-flight") {
        "No leak found: what was gained is held by requests in flight at snapshot time".to_string()
    } else if snapshots == 2 {
        format!(
            "Possible leak: {place}{keeps} +{per_step}{off}{} \u{2014} one step: a third snapshot tells a leak from a one-time fill",
            f.suspicion_note()
        )
    } else {
        let gaining = f.step_bytes.iter().filter(|&&b| b > 0).count();
        format!(
            "No leak found: nothing grew at every step of {snapshots} snapshots (largest gain: {place}, +{} at {gaining} of {steps} steps)",
            human_bytes(f.gained_bytes)
        )
    }
}

pub(super) fn findings_of(list: &[Finding]) -> Vec<FindingReport> {
    list.iter()
        .enumerate()
        .map(|(i, f)| FindingReport::new(i + 1, f))
        .collect()
}
