//! The lines that tell where memory outside the JS heap went, and the process's RSS growth
//! split (text and Markdown share them).

use super::format::{human_bytes, signed_bytes};
use crate::analysis::off_heap::OffHeap;
use crate::leaks::memory::{LoggedRss, MemorySplit};

/// Off-heap bytes per snapshot, the RSS split and, when the growth is not in the JS heap, what
/// to look at next; nothing when memory outside the heap did not change notably.
pub fn memory_lines(m: &MemorySplit, each: &[OffHeap]) -> Vec<String> {
    if !m.is_notable() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    // `a → b → c`: the value at each snapshot.
    let chain = |value: &dyn Fn(&OffHeap) -> String| {
        each.iter()
            .map(value)
            .collect::<Vec<_>>()
            .join(" \u{2192} ")
    };
    let mut parts = vec![
        format!(
            "ArrayBuffers {}",
            chain(&|o| human_bytes(o.array_buffer_bytes))
        ),
        format!("native {}", chain(&|o| human_bytes(o.native_bytes))),
    ];
    if m.external_strings() != 0 {
        parts.push(format!(
            "external strings {}",
            chain(&|o| o.external_strings.to_string())
        ));
    }
    if m.worker_threads() != 0 {
        parts.push(format!(
            "worker threads {}",
            chain(&|o| o.worker_threads.to_string())
        ));
    }
    let mut line = format!("off the JS heap: {}", parts.join(", "));
    if m.held_by_findings > 0 {
        line.push_str(&format!(
            "; the findings hold {} of it",
            human_bytes(m.held_by_findings)
        ));
    }
    lines.push(line);
    if let Some(log) = &m.rss_log {
        lines.extend(logged_lines(log, m.process.is_some()));
    }
    let Some(p) = &m.process else {
        return lines;
    };
    lines.push(format!(
        "process rss {} \u{2192} {} ({}): JS heap {}, ArrayBuffers {}, other external {}, native {}, not explained {}",
        human_bytes(p.rss_first),
        human_bytes(p.rss_last),
        signed_bytes(p.rss),
        signed_bytes(p.js_heap),
        signed_bytes(p.array_buffers),
        signed_bytes(p.other_external),
        signed_bytes(p.native),
        signed_bytes(p.unexplained),
    ));
    if p.mostly_unexplained() && m.worker_threads() > 0 {
        lines.push(format!(
            "note: {} of the RSS growth is not in the JS heap: {} more worker threads, each with a heap of its own that no snapshot of this thread shows. Next: find what keeps the Worker objects (the findings; `heapdiff FIRST LAST --cluster Worker` shows where they are held) and end them with worker.terminate(); `worker.getHeapSnapshot()` snapshots a worker's own heap",
            signed_bytes(p.unexplained),
            m.worker_threads()
        ));
    } else if p.mostly_unexplained() {
        lines.push(format!(
            "note: {} of the RSS growth is not in the JS heap nor in any count V8 or the snapshots keep: a native addon's own memory or the allocator's. Next: run the process under heaptrack or `valgrind --tool=massif` to see which native calls allocate it; try MALLOC_ARENA_MAX=2 (glibc keeps freed memory per thread arena); read each native addon's own statistics",
            signed_bytes(p.unexplained)
        ));
    } else if p.mostly_off_heap() && p.other_external * 2 > p.rss {
        lines.push(format!(
            "note: {} of the RSS growth is external memory, not in the JS heap: external strings (a snapshot counts them, {:+} here, but not their length) or memory an addon reports to V8. Next: look at the findings that gain external strings (a finding counts only the characters a snapshot shows, 1,024 of each at most), and at what holds large strings built from Buffers (`buf.toString()` over 1 MB makes one)",
            signed_bytes(p.other_external),
            m.external_strings()
        ));
    }
    lines
}

/// What `--rss-log` says: the RSS at the first and last snapshot, and the share of its growth
/// the snapshots show; when that share is small and nothing splits the rest, what to record.
fn logged_lines(log: &LoggedRss, split_known: bool) -> Vec<String> {
    let mut line = format!(
        "RSS log: {} \u{2192} {} ({}) from the first snapshot to the last",
        human_bytes(log.rss_first),
        human_bytes(log.rss_last),
        signed_bytes(log.rss)
    );
    let shown = log.rss > 0 && log.in_snapshots > 0;
    if shown {
        line.push_str(&format!(
            "; the snapshots show {} of it ({}%)",
            signed_bytes(log.in_snapshots),
            (log.in_snapshots * 100 / log.rss).min(100)
        ));
    }
    let mut lines = vec![line];
    if log.rss >= 1 << 20 && log.in_snapshots * 2 < log.rss && !split_known {
        lines.push(format!(
            "note: {} of the RSS growth is not in the snapshots: external strings, worker threads, a native addon's memory or the allocator's. Next: record process.memoryUsage() beside each snapshot (heapdiff capture does, as NAME.memory.json) to split it",
            signed_bytes(log.rss - log.in_snapshots.max(0))
        ));
    }
    lines
}

/// One snapshot's process memory beside what the snapshot holds: RSS as JS heap (V8's
/// committed heap), ArrayBuffers, other external memory, the native objects the snapshot sees
/// and what none of them accounts for (code, libraries, thread stacks, the allocator).
pub fn process_line(p: &crate::read::memory::ProcessMemory, s: &super::StatisticsReport) -> String {
    let native = s.native_total.saturating_sub(s.typed_arrays);
    let other_external = p.external.saturating_sub(p.array_buffers);
    let known = p.heap_total + p.array_buffers + other_external + native;
    format!(
        "process rss {} when it was taken: JS heap {} (V8's committed heap), ArrayBuffers {}, other external {}, native seen {}, not explained {}",
        human_bytes(p.rss),
        human_bytes(p.heap_total),
        human_bytes(p.array_buffers),
        human_bytes(other_external),
        human_bytes(native),
        signed_bytes(p.rss as i64 - known as i64),
    )
}
