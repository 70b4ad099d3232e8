//! `--rss-log FILE`: a process's RSS over time as monitoring exports it, one sample per line,
//! `TIME,BYTES` (a comma, a tab or spaces between). TIME is Unix seconds, Unix milliseconds
//! or an RFC 3339 date (`2026-12-04T10:00:00Z`, `2026-12-04 10:00:00+01:00`); BYTES is a
//! number, optionally with a unit (`kB`, `MB`, `GB` are powers of 1000; `KiB`, `MiB`, `GiB`
//! of 1024). A first line that is not a sample is a header; `#` starts a comment line.

/// Samples sorted by time: (Unix seconds, bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct RssLog {
    pub samples: Vec<(f64, u64)>,
}

impl RssLog {
    pub fn parse(text: &str) -> Result<RssLog, String> {
        let mut samples = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match sample(line) {
                Some(s) => samples.push(s),
                None if index == 0 => {}
                None => {
                    return Err(format!(
                        "line {}: {line:?} is not TIME,BYTES (Unix seconds or an RFC 3339 date, \
                         then bytes)",
                        index + 1
                    ));
                }
            }
        }
        if samples.len() < 2 {
            return Err("fewer than two samples of TIME,BYTES".to_string());
        }
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(RssLog { samples })
    }

    /// The RSS at `time`, interpolated between the samples around it; `None` outside them.
    pub fn at(&self, time: f64) -> Option<u64> {
        let after = self.samples.partition_point(|s| s.0 < time);
        let (t1, b1) = *self.samples.get(after)?;
        if t1 == time {
            return Some(b1);
        }
        let (t0, b0) = *self.samples.get(after.checked_sub(1)?)?;
        let share = (time - t0) / (t1 - t0);
        Some((b0 as f64 + (b1 as f64 - b0 as f64) * share).round() as u64)
    }
}

fn sample(line: &str) -> Option<(f64, u64)> {
    let fields: Vec<&str> = if line.contains(',') || line.contains('\t') {
        line.split([',', '\t']).map(str::trim).collect()
    } else {
        line.split_whitespace().collect()
    };
    // `2026-12-04 10:00:00 123` splits the date from its time.
    let (time, bytes) = match fields.as_slice() {
        [time, bytes, ..] if !time.is_empty() => match parse_time(time) {
            Some(t) => (t, *bytes),
            None => (parse_time(&format!("{time}T{bytes}"))?, *fields.get(2)?),
        },
        _ => return None,
    };
    Some((time, parse_bytes(bytes)?))
}

/// Unix seconds (or milliseconds, when the number is too large for seconds) or RFC 3339.
fn parse_time(text: &str) -> Option<f64> {
    let text = text.trim_matches('"');
    if let Ok(n) = text.parse::<f64>() {
        return n
            .is_finite()
            .then_some(if n > 1e11 { n / 1000.0 } else { n });
    }
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let offset_at = rest
        .find(['Z', 'z', '+'])
        .or_else(|| rest.rfind('-').filter(|&i| i > 0));
    let (clock, zone) = match offset_at {
        Some(i) => rest.split_at(i),
        None => (rest, "Z"),
    };
    let mut hms = clock.split(':');
    let h: f64 = hms.next()?.parse().ok()?;
    let min: f64 = hms.next()?.parse().ok()?;
    let s: f64 = hms.next().map_or(Some(0.0), |s| s.parse().ok())?;
    let offset = match zone {
        "Z" | "z" => 0.0,
        _ => {
            let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
            let (oh, om) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
            sign * (oh.parse::<f64>().ok()? * 3600.0 + om.parse::<f64>().ok()? * 60.0)
        }
    };
    let valid = (1..=12).contains(&m) && (1..=31).contains(&d) && h < 24.0 && min < 60.0;
    valid.then(|| days_from_civil(y, m, d) as f64 * 86400.0 + h * 3600.0 + min * 60.0 + s - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim_matches('"').trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    (number.is_finite() && number >= 0.0).then(|| (number * scale).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitoring_exports_are_read() {
        let log = RssLog::parse(
            "time,rss\n1764842400,100000000\n# a gap\n1764842460,150 MB\n1764842520000,200000000\n",
        )
        .unwrap();
        assert_eq!(log.samples.len(), 3);
        assert_eq!(log.at(1764842430.0), Some(125_000_000));
        assert_eq!(log.at(1764842520.0), Some(200_000_000));
        assert_eq!(log.at(1764842300.0), None);
        assert_eq!(log.at(1764842600.0), None);
    }

    #[test]
    fn dates_are_rfc_3339() {
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Some(86400.0));
        assert_eq!(parse_time("2026-12-04T10:00:00Z"), Some(1_796_378_400.0));
        assert_eq!(
            parse_time("2026-12-04T11:00:00+01:00"),
            parse_time("2026-12-04T10:00:00Z")
        );
        assert_eq!(
            parse_time("2026-12-04T09:30:00.5-00:30"),
            Some(1_796_378_400.5)
        );
        let log = RssLog::parse("2026-12-04 10:00:00 1GiB\n2026-12-04 10:01:00 2GiB\n").unwrap();
        assert_eq!(log.samples[1], (1_796_378_460.0, 2 << 30));
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn bad_lines_are_errors_with_their_number() {
        let e = RssLog::parse("1,100\n2,lots\n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        assert!(RssLog::parse("1,100\n").is_err());
        assert!(RssLog::parse("").is_err());
    }
}
