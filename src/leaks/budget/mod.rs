//! Budgets for CI: conditions such as `new-retained>5MiB`, parsed from the command line and
//! checked against a [`Diff`]. A budget that is exceeded makes heapdiff exit with status 1.
//!
//! Syntax: `METRIC>LIMIT` or `METRIC>=LIMIT`, where METRIC is one of
//! - `new-retained`, `new-self`, `new-count`: the objects allocated between the snapshots and
//!   still alive (retained is the set-level figure: nothing counted twice);
//! - `growth`: the late snapshot's total size minus the base's;
//! - `class:NAME.count`, `class:NAME.self`, `class:NAME.retained`: the new objects of the class
//!   named NAME (as the table shows it, e.g. `Function` or `{type, required}`); NAME must be a
//!   class of DevTools' Summary view of one of the snapshots, else the budget is an error;
//! - `cluster.count`, `cluster.self`, `cluster.retained`: the largest cluster by that measure;
//! - for a series (three or more snapshots): `growing.count` (how many findings grew at every
//!   step), `class:NAME.slope` (the class's smallest count growth over one step: a class
//!   that filled once and stopped has slope 0), `class:NAME.count`,
//!   `class:NAME.self`, `class:NAME.retained` (in the last snapshot) and `growth` (last total
//!   minus first);
//!
//! and LIMIT is a number with an optional unit: `B`, `kB`/`KB` (1000), `KiB` (1024), `MB`,
//! `MiB`, `GB`, `GiB`. Counts take plain numbers.

use std::fmt;
use std::str::FromStr;

mod check;

pub use check::{KnownClasses, check_all};

/// What a budget measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    NewRetained,
    NewSelf,
    NewCount,
    Growth,
    Class {
        name: String,
        measure: Measure,
    },
    Cluster(Measure),
    /// How many findings of a series grew at every step.
    Growing,
}

/// Which number of a class or cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    SelfSize,
    Retained,
    /// Count growth per snapshot (series only).
    Slope,
}

/// One condition, e.g. `class:Function.count>1000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub metric: Metric,
    /// `>=` rather than `>`.
    pub inclusive: bool,
    pub limit: i64,
    /// The text the user wrote.
    pub text: String,
}

/// The outcome of one budget on one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetResult {
    pub budget: String,
    pub actual: i64,
    pub limit: i64,
    pub exceeded: bool,
    /// What `actual` measured, e.g. the cluster that was largest.
    pub subject: Option<String>,
    /// `actual` and `limit` are bytes (not counts).
    pub bytes: bool,
}

/// Why a budget could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetError(pub String);

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BudgetError {}

const METRICS_HELP: &str = "new-retained, new-self, new-count, growth, \
     class:NAME.count|self|retained, cluster.count|self|retained; for a series: \
     growing.count, class:NAME.slope";

fn measure(text: &str) -> Option<Measure> {
    match text {
        "count" => Some(Measure::Count),
        "self" => Some(Measure::SelfSize),
        "retained" => Some(Measure::Retained),
        "slope" => Some(Measure::Slope),
        _ => None,
    }
}

impl FromStr for Metric {
    type Err = BudgetError;
    fn from_str(s: &str) -> Result<Metric, BudgetError> {
        let unknown = || BudgetError(format!("unknown metric '{s}' (use {METRICS_HELP})"));
        Ok(match s {
            "new-retained" => Metric::NewRetained,
            "new-self" => Metric::NewSelf,
            "new-count" => Metric::NewCount,
            "growth" => Metric::Growth,
            "growing.count" => Metric::Growing,
            _ => {
                if let Some(rest) = s.strip_prefix("class:") {
                    let (name, m) = rest.rsplit_once('.').ok_or_else(unknown)?;
                    if name.is_empty() {
                        return Err(unknown());
                    }
                    Metric::Class {
                        name: name.to_string(),
                        measure: measure(m).ok_or_else(unknown)?,
                    }
                } else if let Some(m) = s.strip_prefix("cluster.") {
                    match measure(m).ok_or_else(unknown)? {
                        Measure::Slope => return Err(unknown()),
                        m => Metric::Cluster(m),
                    }
                } else {
                    return Err(unknown());
                }
            }
        })
    }
}

impl Metric {
    pub fn is_count(&self) -> bool {
        matches!(
            self,
            Metric::NewCount
                | Metric::Growing
                | Metric::Class {
                    measure: Measure::Slope,
                    ..
                }
                | Metric::Class {
                    measure: Measure::Count,
                    ..
                }
                | Metric::Cluster(Measure::Count)
        )
    }
}

/// Parses a size such as `5MiB`, `1.5 MB` or `1000`: bytes.
pub fn parse_size(text: &str) -> Result<i64, BudgetError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| BudgetError(format!("'{text}' is not a size (e.g. 500kB, 5MiB, 1GB)")))?;
    let factor: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "kB" | "KB" | "k" | "K" => 1e3,
        "KiB" | "Ki" => 1024.0,
        "MB" | "M" => 1e6,
        "MiB" | "Mi" => 1024.0 * 1024.0,
        "GB" | "G" => 1e9,
        "GiB" | "Gi" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(BudgetError(format!(
                "unknown unit '{other}' in '{text}' (use B, kB, KiB, MB, MiB, GB, GiB)"
            )));
        }
    };
    let bytes = value * factor;
    if !bytes.is_finite() || bytes > i64::MAX as f64 {
        return Err(BudgetError(format!("'{text}' is too large")));
    }
    Ok(bytes.round() as i64)
}

impl FromStr for Budget {
    type Err = BudgetError;
    fn from_str(s: &str) -> Result<Budget, BudgetError> {
        // The last `>` is the operator: a class name may hold one (`class:<div>.count>9`),
        // a limit never does.
        let Some((metric, rest)) = s.rsplit_once('>') else {
            return Err(BudgetError(format!(
                "'{s}' is not a budget: write METRIC>LIMIT, e.g. new-retained>5MiB"
            )));
        };
        let (inclusive, limit) = match rest.strip_prefix('=') {
            Some(limit) => (true, limit),
            None => (false, rest),
        };
        let metric: Metric = metric.trim().parse()?;
        let limit = if metric.is_count() {
            limit
                .trim()
                .parse::<i64>()
                .map_err(|_| BudgetError(format!("'{}' is not a count in '{s}'", limit.trim())))?
        } else {
            parse_size(limit)?
        };
        Ok(Budget {
            metric,
            inclusive,
            limit,
            text: s.to_string(),
        })
    }
}

impl Budget {
    /// `--fail-on-growth SIZE`: the retained size of the new objects above SIZE.
    pub fn on_growth(size: &str) -> Result<Budget, BudgetError> {
        format!("new-retained>{size}").parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_budgets() {
        let b: Budget = "new-retained>5MiB".parse().unwrap();
        assert_eq!(
            (b.metric, b.inclusive, b.limit),
            (Metric::NewRetained, false, 5 << 20)
        );
        let b: Budget = "class:Function.count>=1000".parse().unwrap();
        assert_eq!(
            b.metric,
            Metric::Class {
                name: "Function".into(),
                measure: Measure::Count
            }
        );
        assert_eq!((b.inclusive, b.limit), (true, 1000));
        let b: Budget = "class:{type, required}.retained>1.5 MB".parse().unwrap();
        assert_eq!(b.limit, 1_500_000);
        let b: Budget = "class:Detached <li>.count>=2".parse().unwrap();
        assert_eq!(
            (b.metric, b.inclusive, b.limit),
            (
                Metric::Class {
                    name: "Detached <li>".into(),
                    measure: Measure::Count
                },
                true,
                2
            )
        );
        let b: Budget = "class:<div>.self>1kB".parse().unwrap();
        assert_eq!((b.inclusive, b.limit), (false, 1000));
        let b: Budget = "cluster.retained>1KiB".parse().unwrap();
        assert_eq!(
            (b.metric, b.limit),
            (Metric::Cluster(Measure::Retained), 1024)
        );
        assert_eq!("growth>2GB".parse::<Budget>().unwrap().limit, 2_000_000_000);
    }

    #[test]
    fn rejects_bad_budgets() {
        for bad in [
            "retained>5MiB",
            "new-retained<5MiB",
            "new-retained>5XB",
            "new-count>1.5k",
            "class:.count>1",
            "cluster.size>1",
            "new-retained>",
        ] {
            assert!(bad.parse::<Budget>().is_err(), "{bad}");
        }
    }
}
