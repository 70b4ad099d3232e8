//! Everything after reading, on whatever graph the bytes describe: analysis, the Summary view,
//! clusters, and a diff of the snapshot against itself.
#![no_main]

use heapdiff::analysis::Analysis;
use heapdiff::report::{DiffOptions, DiffReport, SummaryReport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(graph) = heapdiff::read::parse(data) else {
        return;
    };
    if graph.node_count() > 20_000 || graph.edge_count() > 100_000 {
        return;
    }
    let a = Analysis::run(graph);
    let _ = SummaryReport::new("fuzz", &a);
    let options = DiffOptions {
        compare: true,
        ..DiffOptions::default()
    };
    let _ = DiffReport::new("fuzz", &a, None, "fuzz", &a, &options);
});
