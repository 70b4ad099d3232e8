//! Everything after reading, on whatever graph the bytes describe: analysis, the Summary and
//! Allocation views, clusters, a diff of the snapshot against itself, and a timeline window of
//! it.
#![no_main]

use heapdiff::analysis::Analysis;
use heapdiff::leaks::between::Baseline;
use heapdiff::leaks::window::TimeWindow;
use heapdiff::leaks::{self, DiffOptions, Start};
use heapdiff::report::{DiffReport, SummaryReport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(graph) = heapdiff::read::parse(data) else {
        return;
    };
    if graph.node_count() > 20_000 || graph.edge_count() > 100_000 {
        return;
    }
    let Ok(a) = Analysis::run(graph) else {
        return;
    };
    let (tops, untraced) = leaks::allocation_sites::allocation_view(&a);
    let _ = SummaryReport::new("fuzz", &a.summarize()).with_allocation_view(&tops, untraced);
    let options = DiffOptions {
        compare: true,
        by_stack: true,
        ..DiffOptions::default()
    };
    if let Some(allocations) = &a.graph.allocations
        && let Ok(window) = TimeWindow::parse("10ms..")
        && let Some((min_id, max_id)) = window.ids(&allocations.samples)
    {
        let start = Start::Window {
            min_id,
            max_id,
            label: window.label(),
        };
        let prepared = leaks::prepare(&a.early(), min_id, max_id);
        if let Ok(diff) = leaks::diff(start, None, ("fuzz", &a), Some(prepared), &options) {
            let _ = DiffReport::new(&diff);
        }
    }
    let Ok(Ok(base)) = heapdiff::read::parse(data).map(Analysis::run) else {
        return;
    };
    let base = Baseline::Analysed(Box::new(base));
    let start = Start::Snapshot("fuzz", &base);
    if let Ok(diff) = leaks::diff(start, None, ("fuzz", &a), None, &options) {
        let _ = DiffReport::new(&diff);
    }
});
