//! Micro benchmarks of the pipeline's stages on one snapshot: parsing, each analysis phase,
//! and the between/cluster step of a diff.
//!
//! The snapshot is `$HEAPDIFF_BENCH_SNAPSHOT` if set, else `bench-data/small/late.heapsnapshot`
//! (write it with `node --expose-gc benches/generate.js 50 bench-data/small`), else the
//! committed `fixtures/snapshots/node24-late.heapsnapshot.gz`.
//!
//! Run: `cargo bench --bench stages`.

use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use heapdiff::analysis::{Analysis, classes, dominators, essential, flags, shallow};

fn snapshot_path() -> PathBuf {
    if let Some(p) = std::env::var_os("HEAPDIFF_BENCH_SNAPSHOT") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = root.join("bench-data/small/late.heapsnapshot");
    if generated.exists() {
        return generated;
    }
    root.join("fixtures/snapshots/node24-late.heapsnapshot.gz")
}

fn snapshot_text() -> Vec<u8> {
    let path = snapshot_path();
    let raw = std::fs::read(&path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .unwrap();
        text
    } else {
        raw
    }
}

fn stages(c: &mut Criterion) {
    let text = snapshot_text();
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| heapdiff::read::parse(&text).unwrap())
    });
    let g = heapdiff::read::parse(&text).unwrap();
    // The analysis phases are reported in nodes per second.
    group.throughput(Throughput::Elements(g.node_count() as u64));
    let dom = heapdiff::analysis::dom_state::propagate(&g);
    let page = flags::page_owned(&g);
    group.bench_function("essential_edges", |b| {
        b.iter(|| {
            let names = essential::WeakMapNames::new(&g);
            essential::essential_edges(&g, &page, &names)
        })
    });
    let names = essential::WeakMapNames::new(&g);
    let essential = essential::essential_edges(&g, &page, &names);
    group.bench_function("shallow_sizes", |b| {
        b.iter(|| shallow::transfer(&g, &dom.renamed))
    });
    group.bench_function("retainers", |b| {
        b.iter(|| heapdiff::graph::Retainers::of(&g).unwrap())
    });
    let (retainers, by_slot) = heapdiff::graph::Retainers::of(&g)
        .unwrap()
        .finish(|e| essential.get(e));
    group.bench_function("dominators", |b| {
        b.iter(|| {
            dominators::dominators(&dominators::FlowGraph::of(
                &g, &retainers, &essential, &by_slot,
            ))
        })
    });
    group.bench_function("distances", |b| {
        b.iter(|| {
            let names = essential::WeakMapNames::new(&g);
            heapdiff::analysis::distances::distances(&g, &names)
        })
    });
    group.bench_function("classes", |b| {
        b.iter(|| {
            let interfaces = classes::infer_interfaces(&g);
            classes::ClassKeys::compute(&g, &dom, &interfaces)
        })
    });
    let a = Analysis::run(heapdiff::read::parse(&text).unwrap()).unwrap();
    group.bench_function("summary_rows", |b| b.iter(|| a.summary()));
    group.bench_function("clusters_of_all_nodes", |b| {
        let all: Vec<u32> = (0..a.graph.node_count() as u32).collect();
        b.iter(|| heapdiff::leaks::clusters::clusters(&a, &all))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
