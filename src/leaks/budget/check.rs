//! Measuring budgets: on a [`Diff`] (two snapshots, or three with memlab's filter) or on a
//! [`Series`]. A budget that names nothing (a class in neither snapshot, a cluster budget on a
//! report without clusters, a metric the mode does not have) is an error, never a pass.

use rustc_hash::FxHashSet;

use super::{Budget, BudgetError, BudgetResult, Measure, Metric};
use crate::analysis::Analysis;
use crate::graph::HeapGraph;
use crate::leaks::Diff;
use crate::leaks::clusters::Cluster;
use crate::leaks::series::Series;

/// The class names a budget may name: DevTools' names in the analysed snapshot, and the
/// constructor names and type categories of the other (only loaded) one.
pub struct KnownClasses(FxHashSet<String>);

impl KnownClasses {
    pub fn of(analysed: &Analysis, loaded: &[&HeapGraph]) -> KnownClasses {
        let g = &analysed.graph;
        let mut names: FxHashSet<String> = FxHashSet::default();
        let mut seen = FxHashSet::default();
        for v in 0..g.node_count() as u32 {
            if seen.insert(analysed.classes.class_index[v as usize]) {
                names.insert(analysed.classes.class_name(g, v).to_string());
            }
        }
        for other in loaded {
            let t = &other.node_types;
            for v in 0..other.node_count() as u32 {
                let ty = Some(other.node_type[v as usize]);
                if ty == t.object || ty == t.native || ty == t.closure {
                    names.insert(other.raw_name(v).to_string());
                }
            }
            names.extend(other.node_types.names.iter().map(|n| format!("({n})")));
        }
        KnownClasses(names)
    }

    /// The names of a series' class rows (every class of every snapshot).
    pub fn of_series(s: &Series) -> KnownClasses {
        KnownClasses::of_names(s.classes.iter().map(|t| t.name.clone()))
    }

    pub fn of_names(names: impl Iterator<Item = String>) -> KnownClasses {
        KnownClasses(names.collect())
    }

    /// Ok when `name` is a class; otherwise the error, with the closest names.
    fn check(&self, name: &str) -> Result<(), BudgetError> {
        if self.0.contains(name) {
            return Ok(());
        }
        let lower = name.to_lowercase();
        let mut close: Vec<(usize, &String)> = self
            .0
            .iter()
            .filter_map(|c| {
                let d = if c.to_lowercase() == lower {
                    0
                } else {
                    edit_distance(&c.to_lowercase(), &lower)
                };
                (d <= 2.max(name.chars().count() / 4)).then_some((d, c))
            })
            .collect();
        close.sort();
        let hint = match close.first() {
            Some((_, c)) => format!("; did you mean \"{c}\"?"),
            None => String::new(),
        };
        Err(BudgetError(format!(
            "no class \"{name}\" in either snapshot{hint}"
        )))
    }
}

/// Levenshtein distance between two short texts.
fn edit_distance(a: &str, b: &str) -> usize {
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
    pub fn check(&self, d: &Diff, classes: &KnownClasses) -> Result<BudgetResult, BudgetError> {
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
        classes: &KnownClasses,
    ) -> Result<BudgetResult, BudgetError> {
        let (actual, subject) = match &self.metric {
            Metric::Growing => {
                let growing: Vec<&str> = s
                    .findings
                    .iter()
                    .filter(|f| f.evidence == crate::leaks::findings::Evidence::Growing)
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
    use super::edit_distance;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("function", "function"), 0);
        assert_eq!(edit_distance("functon", "function"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
