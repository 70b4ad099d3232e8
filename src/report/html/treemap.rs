//! Squarified treemap layout (Bruls, Huizing and van Wijk): rectangles whose areas are
//! proportional to their values, as close to squares as a greedy row layout gets.

/// A rectangle of the layout.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Lays out `values` (largest first; zeros get empty rectangles) in `bounds`. The rectangles
/// tile `bounds`, each with an area of `value / sum · bounds area`.
pub fn squarify(values: &[u64], bounds: Rect) -> Vec<Rect> {
    let total: f64 = values.iter().map(|&v| v as f64).sum();
    let mut out = vec![Rect::default(); values.len()];
    if total <= 0.0 || bounds.w <= 0.0 || bounds.h <= 0.0 {
        return out;
    }
    let scale = bounds.w * bounds.h / total;
    let areas: Vec<f64> = values.iter().map(|&v| v as f64 * scale).collect();
    let live: Vec<usize> = (0..values.len()).filter(|&i| areas[i] > 0.0).collect();
    let mut free = bounds;
    let mut start = 0;
    while start < live.len() {
        let short = free.w.min(free.h);
        let mut end = start + 1;
        let mut best = worst(&areas, &live[start..end], short);
        while end < live.len() {
            let next = worst(&areas, &live[start..=end], short);
            if next > best {
                break;
            }
            best = next;
            end += 1;
        }
        let row = &live[start..end];
        let sum: f64 = row.iter().map(|&i| areas[i]).sum();
        // A column at the left of a wide space, a row at the top of a tall one; the last
        // strip takes all that is left.
        let column = free.w >= free.h;
        let (across, along) = if column {
            (free.w, free.h)
        } else {
            (free.h, free.w)
        };
        let thickness = if end == live.len() {
            across
        } else {
            sum / along
        };
        let mut offset = if column { free.y } else { free.x };
        for &i in row {
            let length = areas[i] / thickness;
            out[i] = if column {
                Rect {
                    x: free.x,
                    y: offset,
                    w: thickness,
                    h: length,
                }
            } else {
                Rect {
                    x: offset,
                    y: free.y,
                    w: length,
                    h: thickness,
                }
            };
            offset += length;
        }
        if column {
            free.x += thickness;
            free.w -= thickness;
        } else {
            free.y += thickness;
            free.h -= thickness;
        }
        start = end;
    }
    out
}

/// The worst aspect ratio of `row` laid along a side of length `short`.
fn worst(areas: &[f64], row: &[usize], short: f64) -> f64 {
    let sum: f64 = row.iter().map(|&i| areas[i]).sum();
    let max = row.iter().map(|&i| areas[i]).fold(0.0, f64::max);
    let min = row.iter().map(|&i| areas[i]).fold(f64::INFINITY, f64::min);
    let s2 = short * short;
    (s2 * max / (sum * sum)).max(sum * sum / (s2 * min))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random values, largest first.
    fn values(seed: &mut u64, n: usize) -> Vec<u64> {
        let mut list: Vec<u64> = (0..n)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (*seed >> 40) % 10_000 + u64::from((*seed).is_multiple_of(3)) * 100_000
            })
            .collect();
        list.sort_unstable_by(|a, b| b.cmp(a));
        list
    }

    #[test]
    fn areas_are_proportional_and_rectangles_tile_the_bounds() {
        let bounds = Rect {
            x: 0.0,
            y: 0.0,
            w: 1000.0,
            h: 500.0,
        };
        let mut seed = 7;
        for n in [1, 2, 3, 10, 57, 200] {
            let v = values(&mut seed, n);
            let rects = squarify(&v, bounds);
            let total: f64 = v.iter().map(|&x| x as f64).sum();
            let mut covered = 0.0;
            for (r, &x) in rects.iter().zip(&v) {
                let want = x as f64 / total * 500_000.0;
                assert!(
                    (r.w * r.h - want).abs() <= want * 1e-6 + 1e-6,
                    "{n}: {r:?} vs {want}"
                );
                assert!(r.x >= -1e-6 && r.y >= -1e-6);
                assert!(
                    r.x + r.w <= 1000.0 + 1e-6 && r.y + r.h <= 500.0 + 1e-6,
                    "{r:?}"
                );
                covered += r.w * r.h;
            }
            assert!((covered - 500_000.0).abs() < 1e-3);
            // No two rectangles overlap (brute force).
            for (i, a) in rects.iter().enumerate() {
                for b in &rects[i + 1..] {
                    let dx = (a.x + a.w).min(b.x + b.w) - a.x.max(b.x);
                    let dy = (a.y + a.h).min(b.y + b.h) - a.y.max(b.y);
                    assert!(dx <= 1e-6 || dy <= 1e-6, "{a:?} overlaps {b:?}");
                }
            }
        }
    }

    #[test]
    fn zeros_and_empty_inputs_get_nothing() {
        let bounds = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(squarify(&[], bounds).is_empty());
        assert_eq!(squarify(&[0, 0], bounds), vec![Rect::default(); 2]);
        let r = squarify(&[5, 0], bounds);
        assert_eq!(r[0], bounds);
        assert_eq!(r[1], Rect::default());
    }
}
