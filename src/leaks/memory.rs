//! Where a process's memory growth went, from the first snapshot to the last: the JS heap the
//! snapshots explain finding by finding, ArrayBuffer backing stores and native objects they
//! see, external memory only the process's own counters see (external strings, addons'), and
//! what none of them explains (a native addon's own allocations, the allocator).

use serde::Serialize;

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
    pub fn of(
        first: (&OffHeap, Option<&ProcessMemory>),
        last: (&OffHeap, Option<&ProcessMemory>),
        held_by_findings: u64,
    ) -> MemorySplit {
        let process = match (first.1, last.1) {
            (Some(a), Some(b)) => Some(ProcessSplit::of(a, b, first.0, last.0)),
            _ => None,
        };
        MemorySplit {
            first: *first.0,
            last: *last.0,
            held_by_findings,
            process,
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
            (&off(10, 5), Some(&memory(100 << 20, 5 << 20, 30, 20))),
            (
                &off(60 << 20, 5),
                Some(&memory(170 << 20, 6 << 20, 60 << 20, 55 << 20)),
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
