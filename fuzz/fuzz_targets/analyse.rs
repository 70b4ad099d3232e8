//! Everything after reading, on whatever graph the bytes describe: analysis, the Summary view,
//! clusters, and a diff of the snapshot against itself.
#![no_main]

use heapdiff::analysis::Analysis;
use heapdiff::leaks::between::Baseline;
use heapdiff::leaks::{self, DiffOptions};
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
    let _ = SummaryReport::new("fuzz", &a.summarize());
    let options = DiffOptions {
        compare: true,
        ..DiffOptions::default()
    };
    let Ok(Ok(base)) = heapdiff::read::parse(data).map(Analysis::run) else {
        return;
    };
    let base = Baseline::Analysed(Box::new(base));
    if let Ok(diff) = leaks::diff(("fuzz", &base), None, ("fuzz", &a), &options) {
        let _ = DiffReport::new(&diff);
    }
});
