//! Known leaks for CI (`--baseline FILE`, written by `--write-baseline FILE`): each finding's
//! fingerprint, stable across runs and machines, and the file that lists the findings a team
//! has accepted, so that a check fails only on a leak that is new or grew past a recorded
//! factor.
//!
//! A fingerprint is built from what a person would call the same leak:
//! - the holder's label with object ids, counts and indices left out
//!   (`system / Context / scope @57003 ->listeners → Array` → `… scope ->listeners → Array`);
//! - the code that made what it gained ([`Finding::site`]): its function name and script,
//!   the script from its package (`node_modules/PKG/…`) or by its last two path components,
//!   without line or column; or, when it gained objects only, the kind of its first part.
//!
//! It does not change with sizes, counts, ids, line numbers or the folder a project is checked
//! out in; it changes when the holder is renamed or moved (another variable or property), or
//! when the leaking function is renamed or moved to another file.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::budget::BudgetResult;
use super::findings::{Evidence, Finding, Suspicion};

/// The format version of a baseline file.
pub const BASELINE_VERSION: u32 = 1;
/// How many times its recorded per-step gain a known leak may grow before it fails again.
pub const DEFAULT_GROWTH_FACTOR: f64 = 2.0;

/// A baseline file: the accepted findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownLeaks {
    pub heapdiff_baseline: u32,
    /// A known finding whose per-step gain exceeds `growth_factor` × the recorded one fails.
    pub growth_factor: f64,
    pub findings: Vec<KnownLeak>,
}

/// One accepted finding, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownLeak {
    /// 16 hex digits (see the module docs).
    pub fingerprint: String,
    /// What the fingerprint was made of, for a person reviewing the file.
    pub holder: String,
    pub code: String,
    /// Bytes gained per step when it was recorded.
    pub per_step_bytes: u64,
}

/// How a finding stands against a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// In the baseline and within its growth factor.
    Known,
    /// In the baseline, but gaining more than its growth factor allows.
    Grown,
    /// Not in the baseline.
    New,
}

/// The parts a fingerprint is hashed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub holder: String,
    pub code: String,
}

impl Fingerprint {
    pub fn of(f: &Finding) -> Fingerprint {
        let code = match f.site() {
            Some((_, s)) => format!("{} @ {}", s.function, script_key(&s.script)),
            None => f
                .parts
                .iter()
                .find(|p| !p.internal)
                .or(f.parts.first())
                .map_or_else(String::new, |p| shape(&p.label)),
        };
        Fingerprint {
            holder: shape(&f.label),
            code,
        }
    }

    /// 16 hex digits of a 64-bit FNV-1a hash of both parts: the same on every machine.
    pub fn hash(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.holder.bytes().chain([0]).chain(self.code.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// A label with what changes from run to run left out: `@123` ids, `×N` counts, `[7]`
/// indices, URLs' hosts and ports, and notes in parentheses at the end (`(system roots
/// only)`).
fn shape(label: &str) -> String {
    let label: Vec<String> = label.split(' ').map(without_host).collect();
    let label = label.join(" ");
    let mut out = String::with_capacity(label.len());
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '@' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                if out.ends_with(' ') {
                    out.pop();
                }
            }
            '×' => {
                while chars
                    .peek()
                    .is_some_and(|d| d.is_ascii_digit() || *d == ',')
                {
                    chars.next();
                }
                out.push_str("×N");
            }
            '[' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('[');
            }
            _ => out.push(c),
        }
    }
    let mut text = out.trim().to_string();
    while text.ends_with(')') {
        match text.rfind(" (") {
            Some(i) => text.truncate(i),
            None => break,
        }
    }
    text
}

/// `http://127.0.0.1:34929/app` → `http:///app`: a test server's port changes between runs.
fn without_host(token: &str) -> String {
    match token.split_once("://") {
        Some((scheme, rest)) => {
            let path = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{scheme}://{path}")
        }
        None => token.to_string(),
    }
}

/// A script as two machines both name it: from its package inside `node_modules`, else its
/// last two path components (of a URL, its path: hosts and ports change between runs).
fn script_key(script: &str) -> String {
    if let Some(i) = script.rfind("node_modules/") {
        return script[i..].to_string();
    }
    let path = script.split(['?', '#']).next().unwrap_or(script);
    // `http://127.0.0.1:44109/main.js`: a test server's port changes from run to run.
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
        None => path,
    };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts[parts.len().saturating_sub(2)..].join("/")
}

/// Whether a finding counts against a baseline: a series' growing findings; with two
/// snapshots, those not taken for a one-time fill, churn or requests in flight.
pub fn is_checked(f: &Finding) -> bool {
    match f.evidence {
        Evidence::Growing => true,
        Evidence::NotGrowing => false,
        Evidence::TwoSnapshots => f.suspicion == Suspicion::None,
    }
}

/// Bytes a finding gained per step.
pub fn per_step_bytes(f: &Finding) -> u64 {
    f.gained_bytes() / f.step_bytes.len().max(1) as u64
}

/// Sets each finding's standing against `known`, and returns the baseline's check, listed
/// with the budgets: `baseline` is exceeded by any finding that counts (see [`is_checked`])
/// and is new or grew past the factor; its subject is the first of them.
pub fn mark(findings: &mut [Finding], known: &KnownLeaks) -> BudgetResult {
    let mut failing = 0;
    let mut first = None;
    for f in findings.iter_mut() {
        let standing = known.standing(f);
        f.standing = Some(standing);
        if standing != Standing::Known && is_checked(f) {
            failing += 1;
            first.get_or_insert_with(|| f.label.clone());
        }
    }
    BudgetResult {
        budget: "baseline (new or grown leaks)".to_string(),
        actual: failing,
        limit: 0,
        exceeded: failing > 0,
        subject: first,
        bytes: false,
    }
}

impl KnownLeaks {
    /// The baseline of `findings`: every finding that [`is_checked`], once per fingerprint.
    pub fn of(findings: &[Finding]) -> KnownLeaks {
        let mut list: Vec<KnownLeak> = Vec::new();
        for f in findings.iter().filter(|f| is_checked(f)) {
            let print = Fingerprint::of(f);
            let fingerprint = print.hash();
            match list.iter_mut().find(|k| k.fingerprint == fingerprint) {
                Some(k) => k.per_step_bytes = k.per_step_bytes.max(per_step_bytes(f)),
                None => list.push(KnownLeak {
                    fingerprint,
                    holder: print.holder,
                    code: print.code,
                    per_step_bytes: per_step_bytes(f),
                }),
            }
        }
        KnownLeaks {
            heapdiff_baseline: BASELINE_VERSION,
            growth_factor: DEFAULT_GROWTH_FACTOR,
            findings: list,
        }
    }

    /// Reads a baseline file's text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<KnownLeaks, String> {
        let known: KnownLeaks = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if known.heapdiff_baseline != BASELINE_VERSION {
            return Err(format!(
                "baseline format {} (this heapdiff reads {BASELINE_VERSION})",
                known.heapdiff_baseline
            ));
        }
        if !(known.growth_factor.is_finite() && known.growth_factor >= 1.0) {
            return Err(format!(
                "growth_factor {} (must be a number ≥ 1)",
                known.growth_factor
            ));
        }
        Ok(known)
    }

    /// The file's text: pretty JSON, one finding per block, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serializes");
        let _ = writeln!(text);
        text
    }

    /// How `f` stands against this baseline.
    pub fn standing(&self, f: &Finding) -> Standing {
        let fingerprint = Fingerprint::of(f).hash();
        match self.findings.iter().find(|k| k.fingerprint == fingerprint) {
            None => Standing::New,
            Some(k) if per_step_bytes(f) as f64 > k.per_step_bytes as f64 * self.growth_factor => {
                Standing::Grown
            }
            Some(_) => Standing::Known,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_leave_out_what_changes_between_runs() {
        assert_eq!(
            shape("system / Context / scope @57003 ->listeners → Array"),
            "system / Context / scope ->listeners → Array"
        );
        assert_eq!(
            shape("DataLoader ._cacheMap → Map (system roots only)"),
            "DataLoader ._cacheMap → Map"
        );
        assert_eq!(shape("Object [12] → TimersList"), "Object [] → TimersList");
        assert_eq!(
            shape("Window [JSGlobalObject] / http://127.0.0.1:34929 .cards → Array"),
            "Window [JSGlobalObject] / http:// .cards → Array"
        );
        assert_eq!(
            shape("I18n (.translator → I18n) ×23 gains"),
            "I18n (.translator → I18n) ×N gains"
        );
    }

    #[test]
    fn scripts_are_named_alike_on_every_machine() {
        assert_eq!(
            script_key("/home/runner/work/app/node_modules/ajv/dist/compile/index.js"),
            "node_modules/ajv/dist/compile/index.js"
        );
        assert_eq!(script_key("/work/app/src/orders.js"), "src/orders.js");
        assert_eq!(script_key("file:///C:/app/src/orders.js"), "src/orders.js");
        assert_eq!(script_key("http://127.0.0.1:44109/main.js?v=3"), "main.js");
        assert_eq!(script_key("<eval>"), "<eval>");
    }

    #[test]
    fn hashes_are_fixed() {
        let f = Fingerprint {
            holder: "Events .error → Array".into(),
            code: "onError @ src/proxy.js".into(),
        };
        assert_eq!(f.hash(), f.clone().hash());
        assert_eq!(f.hash().len(), 16);
        let other = Fingerprint {
            holder: "Events .error → Array".into(),
            code: "onError @ src/proxy2.js".into(),
        };
        assert_ne!(f.hash(), other.hash());
    }
}
