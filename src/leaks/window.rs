//! A time window of an allocation-timeline recording (`.heaptimeline`), mapped to the object
//! ids DevTools' timeline selection keeps (`HeapTimelineOverview.updateGrid`): the ids assigned
//! after the last sample before the window and up to the first sample after it.

use crate::graph::Sample;

/// `FROM..TO` in milliseconds from the recording's first sample; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWindow {
    pub from_ms: Option<f64>,
    pub to_ms: Option<f64>,
}

/// Parses `10s`, `1.5s`, `500ms`, `2m` (or a bare number of seconds) into milliseconds.
pub fn duration_ms(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1000.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v * scale),
        _ => Err(format!(
            "\"{text}\" is not a time (write 10s, 1.5s, 500ms or 2m)"
        )),
    }
}

impl TimeWindow {
    /// Parses `FROM..TO`, `FROM..` or `..TO`.
    pub fn parse(text: &str) -> Result<TimeWindow, String> {
        let (from, to) = text
            .split_once("..")
            .ok_or_else(|| format!("\"{text}\" is not a window: write FROM..TO, e.g. 10s..40s"))?;
        let end = |t: &str| {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                duration_ms(t).map(Some)
            }
        };
        let window = TimeWindow {
            from_ms: end(from)?,
            to_ms: end(to)?,
        };
        if let (Some(f), Some(t)) = (window.from_ms, window.to_ms)
            && f > t
        {
            return Err(format!("the window {text} ends before it starts"));
        }
        Ok(window)
    }

    /// The ids `(min, max]` of the objects allocated in the window; `None` without samples.
    pub fn ids(&self, samples: &[Sample]) -> Option<(u32, u32)> {
        let start = samples.first()?.timestamp_us as f64 / 1000.0;
        let times: Vec<f64> = samples
            .iter()
            .map(|s| s.timestamp_us as f64 / 1000.0)
            .collect();
        let left = start + self.from_ms.unwrap_or(0.0);
        let first = match self.from_ms {
            None => 0,
            Some(_) => times.partition_point(|&t| t < left),
        };
        let end = match self.to_ms {
            None => samples.len(),
            Some(to) => times.partition_point(|&t| t <= start + to),
        };
        let min_id = first
            .checked_sub(1)
            .map_or(0, |i| samples[i].last_assigned_id);
        let max_id = samples.get(end).map_or(u32::MAX, |s| s.last_assigned_id);
        Some((min_id, max_id))
    }

    /// `10 s..40 s`, as the report shows it.
    pub fn label(&self) -> String {
        let show = |ms: Option<f64>, open: &str| match ms {
            None => open.to_string(),
            Some(ms) if ms < 1000.0 => format!("{ms} ms"),
            Some(ms) => format!("{} s", ms / 1000.0),
        };
        format!(
            "{}..{}",
            show(self.from_ms, "start"),
            show(self.to_ms, "end")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Sample> {
        [(1_000, 10), (51_000, 20), (101_000, 30), (151_000, 40)]
            .iter()
            .map(|&(timestamp_us, last_assigned_id)| Sample {
                timestamp_us,
                last_assigned_id,
            })
            .collect()
    }

    #[test]
    fn windows_parse_with_units_and_open_ends() {
        let w = TimeWindow::parse("10s..1.5m").unwrap();
        assert_eq!((w.from_ms, w.to_ms), (Some(10_000.0), Some(90_000.0)));
        let w = TimeWindow::parse("..500ms").unwrap();
        assert_eq!((w.from_ms, w.to_ms), (None, Some(500.0)));
        assert_eq!(TimeWindow::parse("2..").unwrap().from_ms, Some(2000.0));
        for bad in ["10s", "a..b", "5s..1s", "-1s..2s", "1h..2h"] {
            assert!(TimeWindow::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_window_keeps_the_ids_between_the_samples_around_it() {
        // Samples at 0, 50, 100 and 150 ms from the first.
        let w = TimeWindow::parse("40ms..120ms").unwrap();
        // The first sample at or after 40 ms is the one at 50 (index 1): ids above index 0's;
        // the first after 120 ms is at 150: ids up to its last id.
        assert_eq!(w.ids(&samples()), Some((10, 40)));
        let w = TimeWindow::parse("50ms..100ms").unwrap();
        assert_eq!(w.ids(&samples()), Some((10, 40)));
        let w = TimeWindow::parse("..").unwrap();
        assert_eq!(w.ids(&samples()), Some((0, u32::MAX)));
        let w = TimeWindow::parse("200ms..").unwrap();
        assert_eq!(w.ids(&samples()), Some((40, u32::MAX)));
        assert_eq!(w.ids(&[]), None);
    }
}
