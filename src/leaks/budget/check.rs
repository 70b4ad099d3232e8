//! Measuring budgets: on a [`Diff`] (two snapshots, or three with memlab's filter) or on a
//! [`Series`]. A budget that names nothing (a class in neither snapshot, a cluster budget on a
//! report without clusters, a metric the mode does not have) is an error, never a pass.

use std::cell::OnceCell;

use rustc_hash::FxHashSet;

use super::{Budget, BudgetError, BudgetResult, Measure, Metric};
use crate::analysis::Analysis;
use crate::analysis::summary::loaded_row_names;
use crate::leaks::Diff;
use crate::leaks::between::Baseline;
use crate::leaks::clusters::Cluster;
use crate::leaks::series::Series;

/// The class names a budget may name: exactly the names of DevTools' Summary rows (the class
/// of every object with a non-zero shallow size) of the snapshots compared. Function names,
/// variable names and other node names are not classes: `class:setTimeout` is an error, not
/// a count of 0.
///
/// A diff's base is often only loaded, not analysed; its class names are computed only when a
/// budget names a class the late snapshot lacks (a class that is gone, or a mistake).
pub struct KnownClasses<'a> {
    names: FxHashSet<String>,
    /// A base whose names are read when `names` lacks one.
    base: Option<&'a Baseline>,
    base_names: OnceCell<FxHashSet<String>>,
    /// Every name, for suggestions (sorted by name); built on the first unknown name.
    lowered: OnceCell<Vec<Candidate>>,
    /// Where the names come from, for the error: `either snapshot`, `any snapshot`.
    place: &'static str,
}

impl<'a> KnownClasses<'a> {
    /// The classes of a diff: the late snapshot's and the base's (if any).
    pub fn of_diff(late: &Analysis, base: Option<&'a Baseline>) -> KnownClasses<'a> {
        KnownClasses {
            names: late.class_names(),
            base,
            base_names: OnceCell::new(),
            lowered: OnceCell::new(),
            place: if base.is_some() {
                "either snapshot"
            } else {
                "the snapshot"
            },
        }
    }

    /// The names of a series' class rows (every Summary class of every snapshot).
    pub fn of_series(s: &Series) -> KnownClasses<'static> {
        KnownClasses::of_names(s.classes.iter().map(|t| t.name.clone()), "any snapshot")
    }

    /// These names, found in `place` (for the error message).
    pub fn of_names(names: impl Iterator<Item = String>, place: &'static str) -> KnownClasses<'a> {
        KnownClasses {
            names: names.collect(),
            base: None,
            base_names: OnceCell::new(),
            lowered: OnceCell::new(),
            place,
        }
    }

    fn base_names(&self) -> &FxHashSet<String> {
        self.base_names.get_or_init(|| match self.base {
            Some(Baseline::Analysed(a)) => a.class_names(),
            Some(Baseline::Loaded(g)) => loaded_row_names(g),
            None => FxHashSet::default(),
        })
    }

    /// Whether `name` is a class of one of the snapshots.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name) || (self.base.is_some() && self.base_names().contains(name))
    }

    /// Ok when `name` is a class; otherwise the error, with the closest class if one is close.
    fn check(&self, name: &str) -> Result<(), BudgetError> {
        if self.contains(name) {
            return Ok(());
        }
        let lowered = self.lowered.get_or_init(|| {
            let mut all: Vec<&String> = self.names.iter().chain(self.base_names()).collect();
            // Sorted, so that ties between suggestions go the same way on every run.
            all.sort_unstable();
            all.dedup();
            all.into_iter()
                .map(|n| Candidate {
                    lower: n.to_lowercase(),
                    chars: n.chars().count(),
                    name: n.clone(),
                })
                .collect()
        });
        let hint = match closest(name, lowered) {
            Some(c) => format!("; did you mean {}?", quoted(c)),
            None => String::new(),
        };
        Err(BudgetError(format!(
            "no class {} in {}{hint}",
            quoted(name),
            self.place
        )))
    }
}

/// `name` in double quotes, with control characters escaped, so that an error stays on one
/// line whatever a snapshot's class names contain.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A class name as suggestions compare it: lower-cased, and its length in characters.
struct Candidate {
    lower: String,
    chars: usize,
    name: String,
}

/// A category's name without its parentheses: `(array)` → `array`.
fn bare(name: &str) -> &str {
    name.strip_prefix('(')
        .and_then(|n| n.strip_suffix(')'))
        .unwrap_or(name)
}

/// The class a mistyped `name` most likely meant: one that differs only in case or in the
/// parentheses of a category (`array` for `(array)`), else the nearest within a typo or two
/// (one per four characters, at most three); the first by name among equals.
fn closest<'c>(name: &str, classes: &'c [Candidate]) -> Option<&'c str> {
    let lower = name.to_lowercase();
    if let Some(c) = classes
        .iter()
        .find(|c| c.lower == lower || bare(&c.lower) == bare(&lower))
    {
        return Some(&c.name);
    }
    let length = lower.chars().count();
    let limit = (length / 4).clamp(1, 3);
    classes
        .iter()
        .filter(|c| c.chars.abs_diff(length) <= limit)
        .filter_map(|c| within(&lower, &c.lower, limit).map(|d| (d, c.name.as_str())))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// The Levenshtein distance between two texts, if it is at most `limit`. The common start
/// and end are left out first (class names share long prefixes: `blink::HeapHashTable…`),
/// and only cells within `limit` of the diagonal are computed (Ukkonen's band): a cell
/// further off costs more than `limit` edits. Time O(length × limit).
fn within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - end], &b[..b.len() - end]);
    let n = b.len();
    if a.len().abs_diff(n) > limit {
        return None;
    }
    // Any value above `limit` stands for "too far"; cells outside the band are never read.
    let far = limit + 1;
    let mut previous: Vec<usize> = (0..=n).map(|j| j.min(far)).collect();
    let mut row = vec![far; n + 1];
    for i in 1..=a.len() {
        let low = i.saturating_sub(limit);
        let mut best = far;
        for j in low..=(i + limit).min(n) {
            let d = if j == 0 {
                i
            } else {
                let diagonal = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
                let up = if (i - 1).abs_diff(j) <= limit {
                    previous[j] + 1
                } else {
                    far
                };
                let left = if j > low { row[j - 1] + 1 } else { far };
                diagonal.min(up).min(left)
            };
            row[j] = d.min(far);
            best = best.min(row[j]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut row);
    }
    Some(previous[n]).filter(|&d| d <= limit)
}

/// Checks every budget with `check`. A budget that names nothing fails the whole check, and
/// every such budget is named in one line (a CI job learns all its typos from one run).
pub fn check_all(
    budgets: &[Budget],
    check: impl Fn(&Budget) -> Result<BudgetResult, BudgetError>,
) -> Result<Vec<BudgetResult>, BudgetError> {
    let mut results = Vec::with_capacity(budgets.len());
    let mut errors: Vec<String> = Vec::new();
    for b in budgets {
        match check(b) {
            Ok(r) => results.push(r),
            Err(e) => errors.push(e.0),
        }
    }
    if errors.is_empty() {
        Ok(results)
    } else {
        Err(BudgetError(errors.join("; ")))
    }
}

fn result(b: &Budget, actual: i64, subject: Option<String>) -> BudgetResult {
    let exceeded = if b.inclusive {
        actual >= b.limit
    } else {
        actual > b.limit
    };
    BudgetResult {
        budget: b.text.clone(),
        actual,
        limit: b.limit,
        exceeded,
        subject,
        bytes: !b.metric.is_count(),
    }
}

fn series_only(b: &Budget) -> BudgetError {
    BudgetError(format!(
        "'{}' measures growth at every step: give three or more snapshots",
        b.text
    ))
}

impl Budget {
    /// Measures the budget on `d`; `classes` are the names it may name.
    pub fn check(&self, d: &Diff, classes: &KnownClasses<'_>) -> Result<BudgetResult, BudgetError> {
        let (actual, subject) = match &self.metric {
            Metric::NewRetained => (d.between.retained_size as i64, None),
            Metric::NewSelf => (d.between.self_size as i64, None),
            Metric::NewCount => (d.between.count as i64, None),
            Metric::Growth => (d.growth, None),
            Metric::Growing => return Err(series_only(self)),
            Metric::Class { name, measure } => {
                classes.check(name)?;
                let rows = d.classes.iter().filter(|c| &c.name == name);
                let total: u64 = match measure {
                    Measure::Count => rows.map(|c| c.count).sum(),
                    Measure::SelfSize => rows.map(|c| c.self_size).sum(),
                    Measure::Retained => rows.map(|c| c.retained).sum(),
                    Measure::Slope => return Err(series_only(self)),
                };
                (total as i64, None)
            }
            Metric::Cluster(measure) => {
                let value = |c: &Cluster| match measure {
                    Measure::Count | Measure::Slope => c.members.len() as u64,
                    Measure::SelfSize => c.self_size,
                    Measure::Retained => c.retained,
                };
                match d.clusters.iter().max_by_key(|c| value(c)) {
                    Some(c) => (value(c) as i64, Some(c.label.clone())),
                    None => {
                        return Err(BudgetError(format!(
                            "'{}' names the largest cluster, but no two new objects form one",
                            self.text
                        )));
                    }
                }
            }
        };
        Ok(result(self, actual, subject))
    }

    /// Measures the budget on a series; `classes` are the names it may name.
    pub fn check_series(
        &self,
        s: &Series,
        classes: &KnownClasses<'_>,
    ) -> Result<BudgetResult, BudgetError> {
        let (actual, subject) = match &self.metric {
            Metric::Growing => {
                let growing: Vec<&str> = s
                    .findings
                    .iter()
                    .filter(|f| f.evidence == crate::leaks::findings::Evidence::Growing)
                    // Known leaks (`--baseline`) pass.
                    .filter(|f| f.standing != Some(crate::leaks::known::Standing::Known))
                    .map(|f| f.label.as_str())
                    .collect();
                (growing.len() as i64, growing.first().map(|l| l.to_string()))
            }
            Metric::Growth => {
                let first = s.snapshots.first().map_or(0, |x| x.total_size as i64);
                let last = s.snapshots.last().map_or(0, |x| x.total_size as i64);
                (last - first, None)
            }
            Metric::Class { name, measure } => {
                classes.check(name)?;
                let rows = s.classes.iter().filter(|t| &t.name == name);
                let last =
                    |t: &crate::leaks::series::Trend| t.points.last().copied().unwrap_or_default();
                let total = match measure {
                    Measure::Count => rows.map(|t| last(t).count as f64).sum::<f64>(),
                    Measure::SelfSize => rows.map(|t| last(t).self_size as f64).sum(),
                    Measure::Retained => rows.map(|t| last(t).retained as f64).sum(),
                    // The smallest step: a class that filled once and stopped is not growing.
                    Measure::Slope => rows
                        .map(|t| {
                            t.points
                                .windows(2)
                                .map(|w| w[1].count as f64 - w[0].count as f64)
                                .fold(f64::INFINITY, f64::min)
                        })
                        .filter(|x| x.is_finite())
                        .sum(),
                };
                (total.round() as i64, None)
            }
            Metric::NewRetained | Metric::NewSelf | Metric::NewCount | Metric::Cluster(_) => {
                return Err(BudgetError(format!(
                    "'{}' applies to two snapshots; for a series use growing.count, \
                     class:NAME.slope, class:NAME.count|self|retained or growth",
                    self.text
                )));
            }
        };
        Ok(result(self, actual, subject))
    }
}

#[cfg(test)]
mod tests {
    use super::{KnownClasses, quoted, within};

    #[test]
    fn edit_distances() {
        assert_eq!(within("function", "function", 1), Some(0));
        assert_eq!(within("functon", "function", 1), Some(1));
        assert_eq!(within("", "abc", 3), Some(3));
        assert_eq!(within("kitten", "sitting", 3), Some(3));
        assert_eq!(within("kitten", "sitting", 2), None);
        assert_eq!(within("abcdefgh", "zyxwvuts", 3), None);
        assert_eq!(within("prefix-abc-suffix", "prefix-ac-suffix", 1), Some(1));
        assert_eq!(within("aaa", "aaaa", 1), Some(1));
        assert_eq!(within("abcdef", "badcfe", 3), None);
        assert_eq!(within("abcdef", "badcfe", 4), Some(4));
        assert_eq!(within("ab", "ba", 1), None);
        assert_eq!(within("xab", "yba", 3), Some(3));
    }

    /// The plain Levenshtein distance, to check the banded one against.
    fn levenshtein(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut previous = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let here = row[j + 1];
                row[j + 1] = if ca == cb {
                    previous
                } else {
                    1 + previous.min(row[j]).min(row[j + 1])
                };
                previous = here;
            }
        }
        row[b.len()]
    }

    #[test]
    fn the_band_gives_the_plain_distance() {
        // Every text of up to four letters from {a, b, c}, against every other.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, String::len))
                .flat_map(|t| ["a", "b", "c"].map(|c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert_eq!(texts.len(), 1 + 3 + 9 + 27 + 81);
        for a in &texts {
            for b in &texts {
                let d = levenshtein(a, b);
                for limit in 0..5 {
                    assert_eq!(within(a, b, limit), (d <= limit).then_some(d), "{a} {b}");
                }
            }
        }
    }

    fn known(names: &[&str]) -> KnownClasses<'static> {
        KnownClasses::of_names(names.iter().map(|n| n.to_string()), "either snapshot")
    }

    #[test]
    fn only_class_names_are_known_and_suggested() {
        let k = known(&["Timeout", "Function", "(array)", "Map", "{type, required}"]);
        assert!(k.check("Timeout").is_ok());
        assert!(k.check("{type, required}").is_ok());
        let err = |name: &str| k.check(name).unwrap_err().0;
        assert_eq!(
            err("timeout"),
            r#"no class "timeout" in either snapshot; did you mean "Timeout"?"#
        );
        assert_eq!(
            err("array"),
            r#"no class "array" in either snapshot; did you mean "(array)"?"#
        );
        assert_eq!(
            err("Timout"),
            r#"no class "Timout" in either snapshot; did you mean "Timeout"?"#
        );
        // Three letters allow one typo: `foo` is nothing like `Map`.
        assert_eq!(err("foo"), r#"no class "foo" in either snapshot"#);
        assert_eq!(err("a\nb"), "no class \"a\\nb\" in either snapshot");
        assert_eq!(quoted("x\ty"), "\"x\\ty\"");
    }

    #[test]
    fn ties_go_to_the_first_name() {
        let k = known(&["Map", "Mab"]);
        assert_eq!(
            k.check("Mac").unwrap_err().0,
            r#"no class "Mac" in either snapshot; did you mean "Mab"?"#
        );
    }
}
