//! Lockstep growth: classes whose new-object counts stand in small integer ratios (1:1, 1:2,
//! 1:1:2:2 …) were most likely allocated together, by one call site, once per operation.

/// A group of classes growing together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockstep {
    /// The count of one "operation" (the smallest member count divided by its multiple).
    pub unit: u64,
    /// (class name, count, multiple of `unit`), largest count first.
    pub members: Vec<(String, u64, u64)>,
}

/// Classes with fewer new objects than this are not considered.
pub const MIN_COUNT: u64 = 20;
/// Largest multiple of the unit a member may have.
const MAX_MULTIPLE: u64 = 4;

/// Is `count` within 2% of the unit (at least 1) of `k * unit`?
fn near(count: u64, k: u64, unit: u64) -> bool {
    let slack = (unit / 50).max(1);
    count.abs_diff(k * unit) <= slack
}

/// Groups `(name, count)` pairs whose counts are near multiples 1..=4 of a common unit. Each
/// class joins at most one group; groups need two classes. Smaller units are tried first, so
/// that a class twice as frequent joins its partner's group rather than forming its own.
pub fn lockstep(classes: &[(String, u64)]) -> Vec<Lockstep> {
    let mut candidates: Vec<(String, u64)> = classes
        .iter()
        .filter(|(_, c)| *c >= MIN_COUNT)
        .cloned()
        .collect();
    candidates.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    let mut taken = vec![false; candidates.len()];
    let mut groups = Vec::new();
    let mut units: Vec<u64> = candidates.iter().map(|c| c.1).collect();
    units.sort_unstable();
    units.dedup();
    for unit in units {
        let mut members = Vec::new();
        let mut used = Vec::new();
        for (i, (name, count)) in candidates.iter().enumerate() {
            if taken[i] {
                continue;
            }
            if let Some(k) = (1..=MAX_MULTIPLE).find(|&k| near(*count, k, unit)) {
                members.push((name.clone(), *count, k));
                used.push(i);
            }
        }
        if members.len() >= 2 && members.iter().any(|m| m.2 == 1) {
            for i in used {
                taken[i] = true;
            }
            groups.push(Lockstep { unit, members });
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(list: &[(&str, u64)]) -> Vec<(String, u64)> {
        list.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn finds_the_ajv_signature() {
        // SchemaEnv : run closure : Name : _Code ≈ 1 : 1 : 2 : 2, plus unrelated classes.
        let groups = lockstep(&named(&[
            ("SchemaEnv", 9693),
            ("Function", 9809),
            ("Name", 19_400),
            ("_Code", 19_390),
            ("Buffer", 7),
            ("Session", 5000),
        ]));
        assert_eq!(groups.len(), 1);
        let names: Vec<&str> = groups[0].members.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["Name", "_Code", "Function", "SchemaEnv"]);
        assert_eq!(groups[0].members[0].2, 2);
        assert_eq!(groups[0].unit, 9693);
    }

    #[test]
    fn unrelated_counts_form_no_group() {
        assert!(lockstep(&named(&[("A", 100), ("B", 37), ("C", 1000)])).is_empty());
    }
}
