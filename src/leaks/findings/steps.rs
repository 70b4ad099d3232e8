//! When a holder grows: it gained objects at every step and its size (retained bytes or
//! entries) grew at every step. Numbers only.

use crate::leaks::growth::Holder;

/// Fewest bytes a holder must gain at each step to count as growing at every step.
const MIN_STEP_BYTES: u64 = 512;
/// Fewest bytes a holder whose entries stay flat must grow by at each step to be growing.
const FLAT_MIN_GROWTH: u64 = 4096;

/// Gained at every step, and its size grew at every step: its retained bytes by at least half
/// of what it gained, or its entries (its retained bytes not shrinking). A holder whose entries
/// stay flat must grow by [`FLAT_MIN_GROWTH`] at least: a full cache whose new keys are a few
/// bytes longer than the ones it dropped is not growing. One snapshot in the middle whose
/// retained size fell below the first snapshot's (something else held the holder's objects at
/// that moment: a request on the stack) is stepped over: the growth is measured across it.
pub(super) fn grows_at_every_step(
    h: &Holder,
    retained: &[Option<u64>],
    entries: &[Option<u32>],
) -> bool {
    if !gains_at_every_step(h) {
        return false;
    }
    let last = h.bytes.len();
    let dipped = |k: usize| {
        k > 0 && k < last && matches!((retained[0], retained[k]), (Some(a), Some(b)) if b < a)
    };
    if (1..last).filter(|&k| dipped(k)).count() > 1 {
        return false;
    }
    let mut from = 0;
    for to in 1..=last {
        if dipped(to) {
            continue;
        }
        if !grew(&h.bytes[from..to], retained, entries, from, to) {
            return false;
        }
        from = to;
    }
    true
}

/// Did the size grow from snapshot `from` to snapshot `to`, in which it `gained` per step?
fn grew(
    gained: &[u64],
    retained: &[Option<u64>],
    entries: &[Option<u32>],
    from: usize,
    to: usize,
) -> bool {
    let gained: u64 = gained.iter().sum();
    let flat = matches!((entries[from], entries[to]), (Some(a), Some(b)) if b <= a);
    let least = if flat { FLAT_MIN_GROWTH } else { 1 };
    let sized = match (retained[from], retained[to]) {
        (Some(a), Some(b)) => b >= a.saturating_add((gained / 2).max(least)),
        _ => false,
    };
    let counted = match (entries[from], entries[to], retained[from], retained[to]) {
        (Some(a), Some(b), Some(r), Some(s)) => b > a && s >= r,
        _ => false,
    };
    sized || counted
}

/// Gained a share of its objects at every step (two steps at least), still alive at the end.
pub(super) fn gains_at_every_step(h: &Holder) -> bool {
    let steps = h.bytes.len();
    let mean = h.total_bytes() / steps.max(1) as u64;
    steps >= 2
        && h.bytes
            .iter()
            .all(|&gained| gained >= MIN_STEP_BYTES && gained * 10 >= mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(bytes: &[u64]) -> Holder {
        Holder {
            node: 0,
            bytes: bytes.to_vec(),
            counts: bytes.iter().map(|b| b / 32).collect(),
            tops: 1,
            largest_top: 0,
            off_heap_bytes: 0,
        }
    }

    #[test]
    fn a_full_cache_with_longer_keys_does_not_grow() {
        // 52 entries at every snapshot; new keys a few bytes longer than the dropped ones.
        let h = holder(&[700, 700, 700]);
        let retained = [Some(30_000), Some(30_400), Some(30_800), Some(31_200)];
        let entries = [Some(52), Some(52), Some(52), Some(52)];
        assert!(!grows_at_every_step(&h, &retained, &entries));
    }

    #[test]
    fn entries_grow_even_when_retained_bytes_stay_flat() {
        // An object keyed by id whose values something else dominates (`Chart.instances`).
        let h = holder(&[1_900_000, 1_900_000, 1_900_000]);
        let retained = [Some(2_000), Some(2_000), Some(2_000), Some(2_000)];
        let entries = [Some(10), Some(25), Some(40), Some(55)];
        assert!(grows_at_every_step(&h, &retained, &entries));
    }

    #[test]
    fn a_chain_grows_by_its_retained_bytes() {
        // A scope whose one variable holds a longer chain at every step: flat entries.
        let h = holder(&[150_000, 150_000, 150_000]);
        let retained = [Some(160_000), Some(310_000), Some(460_000), Some(610_000)];
        let entries = [Some(3), Some(3), Some(3), Some(3)];
        assert!(grows_at_every_step(&h, &retained, &entries));
    }

    #[test]
    fn a_chain_held_elsewhere_at_one_snapshot_still_grows() {
        // At the second snapshot a request on the stack held the chain: the holder's retained
        // size fell below the first's. Across that snapshot it grew by all it gained.
        let h = holder(&[151_000, 153_000, 153_000]);
        let retained = [Some(162_000), Some(1_100), Some(475_000), Some(628_000)];
        let entries = [Some(0), Some(0), Some(0), Some(0)];
        assert!(grows_at_every_step(&h, &retained, &entries));
        // Two such snapshots are not stepped over.
        let four = holder(&[151_000, 153_000, 153_000, 153_000]);
        let retained = [
            Some(162_000),
            Some(1_100),
            Some(1_100),
            Some(628_000),
            Some(780_000),
        ];
        let entries = [Some(0); 5];
        assert!(!grows_at_every_step(&four, &retained, &entries));
    }

    #[test]
    fn a_cache_that_dips_does_not_grow_across_the_dip() {
        // A full cache whose retained size dipped once and came back: no growth across it.
        let h = holder(&[40_000, 40_000, 40_000]);
        let retained = [Some(300_000), Some(200_000), Some(300_500), Some(301_000)];
        let entries = [Some(500), Some(500), Some(500), Some(500)];
        assert!(!grows_at_every_step(&h, &retained, &entries));
    }

    #[test]
    fn one_step_of_gains_is_no_growth() {
        let h = holder(&[800_000, 0, 0]);
        let retained = [Some(1_000), Some(801_000), Some(801_000), Some(801_000)];
        let entries = [Some(0), Some(9_000), Some(9_000), Some(9_000)];
        assert!(!grows_at_every_step(&h, &retained, &entries));
    }
}
