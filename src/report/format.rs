//! Numbers as the reports show them: DevTools' byte units, thousands separators, signed deltas,
//! distances and one-line trend charts. Formatting only.

use crate::analysis::distances::{NO_DISTANCE, SYSTEM_DISTANCE};

/// A distance as DevTools displays it: `−` when unreachable or reachable only from system roots.
pub fn display_distance(d: i32) -> String {
    if d == NO_DISTANCE || !(0..SYSTEM_DISTANCE).contains(&d) {
        "\u{2212}".to_string()
    } else {
        d.to_string()
    }
}

/// Bytes in decimal units, as DevTools shows them (1 kB = 1000 B).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 100.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `+1.2 MB` / `−300 kB` for a signed byte count.
pub fn signed_bytes(delta: i64) -> String {
    let sign = if delta < 0 { "\u{2212}" } else { "+" };
    format!("{sign}{}", human_bytes(delta.unsigned_abs()))
}

/// `+2,663` / `−12`.
pub fn signed_count(delta: i64) -> String {
    let sign = if delta < 0 { "\u{2212}" } else { "+" };
    format!("{sign}{}", thousands(delta.unsigned_abs()))
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A one-line chart of values (`▁▂▃▅█`), scaled from 0 to the largest.
pub fn sparkline(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if max == 0 {
                BARS[0]
            } else {
                BARS[((v as u128 * 7 + max as u128 / 2) / max as u128) as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_devtools() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(27_540), "27.5 kB");
        assert_eq!(human_bytes(760_000), "760 kB");
        assert_eq!(human_bytes(12_345_678), "12.3 MB");
        assert_eq!(display_distance(3), "3");
        assert_eq!(display_distance(-5), "\u{2212}");
        assert_eq!(display_distance(100_000_005), "\u{2212}");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed_count(-12), "\u{2212}12");
        assert_eq!(signed_bytes(2_500), "+2.5 kB");
    }

    #[test]
    fn sparklines_scale_to_the_largest_value() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▅█");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
    }
}
