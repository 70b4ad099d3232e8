//! Where a process's memory growth went, from the first snapshot to the last: the JS heap the
//! snapshots explain finding by finding, ArrayBuffer backing stores and native objects they
//! see, external memory only the process's own counters see (external strings, addons'), and
//! what none of them explains (a native addon's own allocations, the allocator).

use serde::Serialize;

use super::SnapshotFacts;
use crate::analysis::off_heap::OffHeap;
use crate::read::memory::ProcessMemory;

/// Growth below this is not worth a line of its own.
const NOTABLE_BYTES: i64 = 1 << 20;
/// External strings gained before they are worth naming (Node's own come and go).
const NOTABLE_STRINGS: i64 = 10;

/// The growth of memory outside the JS heap between two snapshots, and of the process.
#[derive(Debug, Clone, Serialize)]
pub struct MemorySplit {
    pub first: OffHeap,
    pub last: OffHeap,
    /// Of the growth off the JS heap: what the findings' new objects own.
    pub held_by_findings: u64,
    /// From `process.memoryUsage()` recorded beside both snapshots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessSplit>,
    /// From `--rss-log`: the RSS when the first and the last snapshot were taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_log: Option<LoggedRss>,
}

/// The RSS a log gives at the first and the last snapshot, and how much of its growth the
/// snapshots show (their totals' growth: the JS heap and what they see outside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoggedRss {
    pub rss_first: u64,
    pub rss_last: u64,
    pub rss: i64,
    pub in_snapshots: i64,
}

/// The process's RSS growth, split. Every field is a change in bytes; the parts add up to
/// `rss` (`unexplained` takes what is left, and may be negative when pages were returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProcessSplit {
    /// RSS at the first and the last snapshot.
    pub rss_first: u64,
    pub rss_last: u64,
    pub rss: i64,
    /// V8's committed heap (`heapTotal`): the objects the snapshots show.
    pub js_heap: i64,
    /// `arrayBuffers`: Buffers' and typed arrays' backing stores.
    pub array_buffers: i64,
    /// `external` beyond ArrayBuffers: external strings, memory addons report to V8.
    pub other_external: i64,
    /// Native objects the snapshot sees that V8's counters do not (Node's zlib streams …).
    pub native: i64,
    pub unexplained: i64,
}

impl MemorySplit {
    pub fn of(first: &SnapshotFacts, last: &SnapshotFacts, held_by_findings: u64) -> MemorySplit {
        let process = match (&first.process, &last.process) {
            (Some(a), Some(b)) => Some(ProcessSplit::of(a, b, &first.off_heap, &last.off_heap)),
            _ => None,
        };
        let rss_log = match (first.rss_logged, last.rss_logged) {
            (Some(a), Some(b)) => Some(LoggedRss {
                rss_first: a,
                rss_last: b,
                rss: b as i64 - a as i64,
                in_snapshots: last.total_size as i64 - first.total_size as i64,
            }),
            _ => None,
        };
        MemorySplit {
            first: first.off_heap,
            last: last.off_heap,
            held_by_findings,
            process,
            rss_log,
        }
    }

    /// Change of the backing stores' bytes.
    pub fn array_buffers(&self) -> i64 {
        self.last.array_buffer_bytes as i64 - self.first.array_buffer_bytes as i64
    }

    pub fn native(&self) -> i64 {
        self.last.native_bytes as i64 - self.first.native_bytes as i64
    }

    pub fn external_strings(&self) -> i64 {
        self.last.external_strings as i64 - self.first.external_strings as i64
    }

    pub fn worker_threads(&self) -> i64 {
        self.last.worker_threads as i64 - self.first.worker_threads as i64
    }

    /// Did memory outside the JS heap change enough to be told?
    pub fn is_notable(&self) -> bool {
        self.array_buffers().abs() >= NOTABLE_BYTES
            || self.native().abs() >= NOTABLE_BYTES
            || self.external_strings() >= NOTABLE_STRINGS
            || self.worker_threads() > 0
            || self.process.is_some()
            || self.rss_log.is_some()
    }
}

impl ProcessSplit {
    fn of(a: &ProcessMemory, b: &ProcessMemory, first: &OffHeap, last: &OffHeap) -> ProcessSplit {
        let delta = |x: u64, y: u64| y as i64 - x as i64;
        let rss = delta(a.rss, b.rss);
        let js_heap = delta(a.heap_total, b.heap_total);
        let array_buffers = delta(a.array_buffers, b.array_buffers);
        let other_external = delta(a.external, b.external) - array_buffers;
        let native = delta(first.native_bytes, last.native_bytes);
        ProcessSplit {
            rss_first: a.rss,
            rss_last: b.rss,
            rss,
            js_heap,
            array_buffers,
            other_external,
            native,
            unexplained: rss - js_heap - array_buffers - other_external - native,
        }
    }

    /// Is most of a notable RSS growth outside the JS heap?
    pub fn mostly_off_heap(&self) -> bool {
        self.rss >= NOTABLE_BYTES && self.js_heap * 2 < self.rss
    }

    /// Is most of a notable RSS growth something neither V8 nor the snapshot accounts for?
    pub fn mostly_unexplained(&self) -> bool {
        self.rss >= NOTABLE_BYTES && self.unexplained * 2 > self.rss
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(rss: u64, heap: u64, external: u64, buffers: u64) -> ProcessMemory {
        ProcessMemory {
            rss,
            heap_total: heap,
            heap_used: heap,
            external,
            array_buffers: buffers,
            time: None,
        }
    }

    fn facts(off: OffHeap, process: ProcessMemory) -> SnapshotFacts {
        SnapshotFacts {
            file: String::new(),
            file_size: None,
            node_count: 0,
            total_size: 0,
            max_js_object_id: 0,
            off_heap: off,
            process: Some(process),
            process_note: None,
            taken_at: None,
            rss_logged: None,
        }
    }

    #[test]
    fn the_parts_add_up_to_the_rss_growth() {
        let off = |buffers, native| OffHeap {
            array_buffer_bytes: buffers,
            native_bytes: native,
            external_strings: 0,
            worker_threads: 0,
        };
        let split = MemorySplit::of(
            &facts(off(10, 5), memory(100 << 20, 5 << 20, 30, 20)),
            &facts(
                off(60 << 20, 5),
                memory(170 << 20, 6 << 20, 60 << 20, 55 << 20),
            ),
            50 << 20,
        );
        let p = split.process.unwrap();
        assert_eq!(p.rss, 70 << 20);
        assert_eq!(
            p.js_heap + p.array_buffers + p.other_external + p.native + p.unexplained,
            p.rss
        );
        assert!(p.mostly_off_heap() && !p.mostly_unexplained());
        assert!(split.is_notable());
        assert_eq!(split.array_buffers(), (60 << 20) - 10);
    }
}
