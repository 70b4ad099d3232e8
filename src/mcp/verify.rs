//! `verify_fix`: two runs of one scenario, before and after a change. Each leak of the run
//! before (a finding that counts against a baseline: growing in a series, unsuspected in a
//! pair) is matched to the run after by its fingerprint (holder and code, see
//! [`crate::leaks::known`]), else by its code alone (the holder moved); then it is still
//! growing or it stopped. A leak of the run after that matches no leak before is new.

use serde::Serialize;

use super::error::{ToolError, ToolResult};
use super::store::Store;
use crate::leaks::findings::{Evidence, Finding};
use crate::leaks::known::{Fingerprint, is_checked, per_step_bytes};

/// What became of one leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A leak before, and still a leak after the change.
    StillGrowing,
    /// A leak before; after the change it is gone or no longer grows.
    Stopped,
    /// A leak after the change that was none before.
    New,
}

/// How a finding of one run was matched to one of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Same holder and same code.
    Fingerprint,
    /// Same code that made what it gained, another holder.
    Site,
}

/// One finding as one run saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    /// Its rank in that run (1 = first).
    pub rank: usize,
    pub label: String,
    /// `growing`, `not-growing` or `two-snapshots`.
    pub evidence: &'static str,
    /// It counts as a leak in that run.
    pub leaking: bool,
    /// Bytes gained per step, and their mean.
    pub step_bytes: Vec<u64>,
    pub per_step_bytes: u64,
}

/// One leak, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub status: Status,
    pub fingerprint: String,
    /// The code that made what it gained (`Leaky @ scripts/app.js`), or what it gained.
    pub code: String,
    pub matched_by: Option<MatchedBy>,
    pub before: Option<Seen>,
    pub after: Option<Seen>,
}

/// The answer of verify_fix.
#[derive(Debug, Serialize)]
pub struct VerifyAnswer {
    pub verdict: String,
    /// The run before had a leak, every leak stopped and none is new.
    pub fixed: bool,
    pub changes: Vec<Change>,
    pub before: Vec<usize>,
    pub after: Vec<usize>,
    /// Why the answer may be unsure (runs of two snapshots).
    pub note: Option<String>,
}

fn seen(rank: usize, f: &Finding) -> Seen {
    Seen {
        rank: rank + 1,
        label: f.label.clone(),
        evidence: match f.evidence {
            Evidence::Growing => "growing",
            Evidence::NotGrowing => "not-growing",
            Evidence::TwoSnapshots => "two-snapshots",
        },
        leaking: is_checked(f),
        step_bytes: f.step_bytes.clone(),
        per_step_bytes: per_step_bytes(f),
    }
}

/// Matches the leaks of `before` to the findings of `after` (see the module docs); the
/// changes come in the order of `before`'s ranks, then the new leaks in `after`'s.
pub fn compare(before: &[Finding], after: &[Finding]) -> Vec<Change> {
    let prints_before: Vec<Fingerprint> = before.iter().map(Fingerprint::of).collect();
    let prints_after: Vec<Fingerprint> = after.iter().map(Fingerprint::of).collect();
    let mut taken = vec![false; after.len()];
    let mut changes = Vec::new();
    for (i, f) in before.iter().enumerate().filter(|(_, f)| is_checked(f)) {
        let print = &prints_before[i];
        let free = |j: &usize| !taken[*j];
        let matched = (0..after.len())
            .filter(free)
            .find(|&j| prints_after[j] == *print)
            .map(|j| (j, MatchedBy::Fingerprint))
            .or_else(|| {
                (0..after.len())
                    .filter(free)
                    .find(|&j| !print.code.is_empty() && prints_after[j].code == print.code)
                    .map(|j| (j, MatchedBy::Site))
            });
        if let Some((j, _)) = matched {
            taken[j] = true;
        }
        let still = matched.is_some_and(|(j, _)| is_checked(&after[j]));
        changes.push(Change {
            status: if still {
                Status::StillGrowing
            } else {
                Status::Stopped
            },
            fingerprint: print.hash(),
            code: print.code.clone(),
            matched_by: matched.map(|(_, by)| by),
            before: Some(seen(i, f)),
            after: matched.map(|(j, _)| seen(j, &after[j])),
        });
    }
    for (j, f) in after.iter().enumerate() {
        if taken[j] || !is_checked(f) {
            continue;
        }
        let print = &prints_after[j];
        let earlier = before.iter().position(|b| Fingerprint::of(b) == *print);
        changes.push(Change {
            status: Status::New,
            fingerprint: print.hash(),
            code: print.code.clone(),
            matched_by: earlier.map(|_| MatchedBy::Fingerprint),
            before: earlier.map(|i| seen(i, &before[i])),
            after: Some(seen(j, f)),
        });
    }
    changes
}

/// The verdict line of `changes`.
fn verdict(changes: &[Change]) -> (bool, String) {
    let count = |s: Status| changes.iter().filter(|c| c.status == s).count();
    let (still, stopped, new) = (
        count(Status::StillGrowing),
        count(Status::Stopped),
        count(Status::New),
    );
    if still + stopped == 0 {
        let head = "nothing to verify: the run before shows no leak";
        return (false, format!("{head} ({new} new after the change)"));
    }
    let fixed = still == 0 && new == 0;
    let head = if fixed { "fixed" } else { "not fixed" };
    (
        fixed,
        format!("{head}: {stopped} leak(s) stopped, {still} still growing, {new} new"),
    )
}

impl Store {
    /// Did the change between the runs `before` and `after` stop their leaks?
    pub fn verify_fix(
        &mut self,
        before: &[usize],
        after: &[usize],
        ignore: &[String],
    ) -> ToolResult<VerifyAnswer> {
        if before.len() < 2 || after.len() < 2 {
            return Err(ToolError::Arguments(
                "verify_fix needs two or more snapshots in each run, oldest first".to_string(),
            ));
        }
        let options = super::args::ReportOptions {
            ignore: ignore.to_vec(),
            ..Default::default()
        };
        let found_before = self.run(before, &options)?.0.findings().to_vec();
        let (run_after, _) = self.run(after, &options)?;
        let changes = compare(&found_before, run_after.findings());
        let (fixed, verdict) = verdict(&changes);
        let note = (before.len() == 2 || after.len() == 2).then(|| {
            "a run of two snapshots cannot tell a leak from a one-time fill: give each run \
             three or more snapshots to be sure"
                .to_string()
        });
        Ok(VerifyAnswer {
            verdict,
            fixed,
            changes,
            before: before.to_vec(),
            after: after.to_vec(),
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaks::findings::{Part, Suspicion};

    fn finding(label: &str, part: &str, evidence: Evidence) -> Finding {
        Finding {
            evidence,
            suspicion: Suspicion::None,
            node: 0,
            id: 1,
            class_name: "Array".to_string(),
            path: label.to_string(),
            short_path: label.to_string(),
            inside: String::new(),
            inside_short: String::new(),
            label: label.to_string(),
            step_bytes: vec![6400, 6400],
            step_counts: vec![100, 100],
            off_heap_bytes: 0,
            retained: Vec::new(),
            entries: Vec::new(),
            parts: vec![Part {
                label: part.to_string(),
                count: 200,
                self_size: 12800,
                internal: false,
                site: None,
            }],
            score: 0,
            unsized_gains: false,
            also_held_by: Vec::new(),
            standing: None,
        }
    }

    #[test]
    fn a_leak_that_stops_a_leak_that_stays_and_a_new_one() {
        let before = [
            finding("Object .leaks → Array", "Leaky", Evidence::Growing),
            finding("Object .log → Array", "(string)", Evidence::Growing),
            finding("Object .cache → Map", "Entry", Evidence::NotGrowing),
        ];
        let after = [
            finding("Object .audit → Array", "Audit", Evidence::Growing),
            finding("Object .log → Array", "(string)", Evidence::Growing),
            finding("Object .leaks → Array", "Leaky", Evidence::NotGrowing),
        ];
        let changes = compare(&before, &after);
        let statuses: Vec<(Status, &str)> = changes
            .iter()
            .map(|c| (c.status, c.code.as_str()))
            .collect();
        assert_eq!(
            statuses,
            [
                (Status::Stopped, "Leaky"),
                (Status::StillGrowing, "(string)"),
                (Status::New, "Audit")
            ]
        );
        assert_eq!(changes[0].matched_by, Some(MatchedBy::Fingerprint));
        assert_eq!(changes[0].after.as_ref().unwrap().rank, 3);
        assert!(!verdict(&changes).0);
    }

    #[test]
    fn nothing_leaking_before_is_not_a_fix() {
        let before = [finding(
            "Object .cache → Map",
            "Entry",
            Evidence::NotGrowing,
        )];
        let (fixed, text) = verdict(&compare(&before, &before));
        assert!(!fixed);
        assert!(text.starts_with("nothing to verify"), "{text}");
    }

    #[test]
    fn a_leak_whose_holder_moved_is_matched_by_its_code() {
        let before = [finding("Object .leaks → Array", "Leaky", Evidence::Growing)];
        let after = [finding("Object .kept → Array", "Leaky", Evidence::Growing)];
        let changes = compare(&before, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].status, Status::StillGrowing);
        assert_eq!(changes[0].matched_by, Some(MatchedBy::Site));
    }
}
