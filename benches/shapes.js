// Adversarial heap shapes for the scaling benchmark (issue 20): each shape is built between a
// base and a late snapshot of one Node process, with N objects.
//
//   node --stack-size=65500 --max-old-space-size=8000 benches/shapes.js SHAPE N OUTDIR
//
// SHAPE is one of:
//   chain        one linked list of N objects of one class (a dominator chain N deep)
//   alternating  a linked list whose nodes cycle through three classes (A, B, C, A, …)
//   fan          one array holding N objects (a node with N children, and N retainers of
//                its prototype and map)
//   doubly       a doubly linked list (every node retained twice, by both neighbours)
//   fiber        a React-like fiber tree: child / sibling / return links, props and state
//                objects per fiber, N fibers about sqrt(N) deep
//   shared       N objects in two arrays of one old holder (the holder dominates them all,
//                and two old containers inside it reference each: a registry and its index)
'use strict';
const v8 = require('v8');
const fs = require('fs');
const path = require('path');

const [shape, nText, outDir] = process.argv.slice(2);
const n = Number(nText);
if (!shape || !n || !outDir) {
  console.error('usage: benches/shapes.js SHAPE N OUTDIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

class A { constructor(next) { this.next = next; this.a = 1; } }
class B { constructor(next) { this.next = next; this.b = 'b'; } }
class C { constructor(next) { this.next = next; this.c = null; } }
class Node2 { constructor(prev) { this.prev = prev; this.next = null; if (prev) prev.next = this; } }
class Fiber {
  constructor(parent, i) {
    this.return = parent;
    this.child = null;
    this.sibling = null;
    this.memoizedProps = { key: 'k' + i, children: null };
    this.memoizedState = { value: i, next: null };
  }
}

// The old holder of `shared`, made before the base snapshot.
const registry = { all: [], byId: [] };

const builders = {
  shared() {
    for (let i = 0; i < n; i++) {
      const entry = new A(null);
      registry.all.push(entry);
      registry.byId.push(entry);
    }
    return registry;
  },
  chain() {
    let head = null;
    for (let i = 0; i < n; i++) head = new A(head);
    return head;
  },
  alternating() {
    let head = null;
    for (let i = 0; i < n; i++) head = i % 3 === 0 ? new A(head) : i % 3 === 1 ? new B(head) : new C(head);
    return head;
  },
  fan() {
    const list = [];
    for (let i = 0; i < n; i++) list.push(new A(null));
    return list;
  },
  doubly() {
    const first = new Node2(null);
    let last = first;
    for (let i = 1; i < n; i++) last = new Node2(last);
    return first;
  },
  fiber() {
    const width = Math.max(2, Math.round(Math.sqrt(n)));
    const root = new Fiber(null, 0);
    let made = 1;
    let parent = root;
    while (made < n) {
      // A row of `width` siblings under `parent`; the last one is the next row's parent.
      let previous = null;
      for (let k = 0; k < width && made < n; k++, made++) {
        const f = new Fiber(parent, made);
        if (previous) previous.sibling = f; else parent.child = f;
        previous = f;
      }
      parent = previous;
    }
    return root;
  },
};
if (!builders[shape]) {
  console.error('unknown shape ' + shape + '; one of ' + Object.keys(builders).join(', '));
  process.exit(2);
}
globalThis.keep = [registry];
v8.writeHeapSnapshot(path.join(outDir, 'base.heapsnapshot'));
globalThis.keep.push(builders[shape]());
v8.writeHeapSnapshot(path.join(outDir, 'late.heapsnapshot'));
