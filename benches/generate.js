// Writes a realistic pair of big heap snapshots of one Node process, for benchmarks:
//   <outdir>/base.heapsnapshot  after allocating a fraction (default 10%) of the target heap
//   <outdir>/late.heapsnapshot  after allocating the rest (and dropping some of the first part)
// Usage: node --max-old-space-size=8192 --expose-gc benches/generate.js <heap MB> <outdir> [base fraction]
// Writing a snapshot needs several times the heap in RAM; keep <heap MB> under ~1800 here.
'use strict';
const v8 = require('v8');
const fs = require('fs');
const path = require('path');

const targetMb = Number(process.argv[2] || 100);
const outDir = process.argv[3] || 'bench-data/pair';
// Share of the heap allocated before the base snapshot.
const baseFraction = Number(process.argv[4] || 0.1);
fs.mkdirSync(outDir, {recursive: true});

// Many classes, so the class table is wide.
const classes = [];
for (let c = 0; c < 60; c++) {
  classes.push(new Function('a', 'b', `return class Kind${c} { constructor(a, b) { this.a = a; this.b = b; this.k${c} = ${c}; } }`)());
}

function makeClosure(i, payload) {
  const captured = {i, payload};
  return function handler(x) { return captured.i + x; };
}

const roots = {lists: [], maps: [], sets: [], weak: new WeakMap(), arrays: [], strings: [], closures: [], objects: []};
globalThis.__bench = roots;

// Allocates roughly `mb` megabytes of mixed objects into `roots`.
function allocate(mb, tag) {
  const perUnit = 1200; // bytes of heap per loop iteration, roughly
  const units = Math.floor(mb * 1024 * 1024 / perUnit);
  let list = null;
  const map = new Map();
  const set = new Set();
  for (let i = 0; i < units; i++) {
    const K = classes[i % classes.length];
    const o = new K(i, tag + i);
    roots.objects.push(o);
    const plain = {type: 'entry', required: i % 7 === 0, index: i, tag};
    map.set(tag + ':' + i, plain);
    if (i % 3 === 0) set.add(o);
    if (i % 5 === 0) roots.weak.set(o, {value: i, link: plain});
    // Strings of all kinds: flat, concatenated, sliced, numbers.
    const s = 'str-' + tag + '-' + i;
    roots.strings.push(s + '/' + (i * 31));
    if (i % 4 === 0) roots.strings.push(('x'.repeat(40) + i).slice(3, 30));
    roots.arrays.push([i, i + 1, i + 2, o, plain]);
    roots.arrays.push(new Float64Array(8));
    if (i % 2 === 0) roots.closures.push(makeClosure(i, plain));
    // A long linked list, with cycles every so often.
    list = {value: i, next: list, back: null};
    if (i % 100 === 0 && list.next) list.next.back = list;
  }
  roots.lists.push(list);
  roots.maps.push(map);
  roots.sets.push(set);
}

allocate(targetMb * baseFraction, 'b');
global.gc && global.gc();
v8.writeHeapSnapshot(path.join(outDir, 'base.heapsnapshot'));
// Drop part of the base data (shows as removed), then grow.
roots.strings.length = Math.floor(roots.strings.length / 2);
allocate(targetMb * (1 - baseFraction), 'l');
global.gc && global.gc();
v8.writeHeapSnapshot(path.join(outDir, 'late.heapsnapshot'));
for (const f of ['base', 'late']) {
  const st = fs.statSync(path.join(outDir, f + '.heapsnapshot'));
  console.log(`${f}: ${(st.size / 1e6).toFixed(1)} MB`);
}
