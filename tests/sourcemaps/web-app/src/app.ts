// A small order page. Works in a browser page and in Node: it puts its actions on
// globalThis.webApp, and the drivers call webApp.click(i) once per "click".
import { bus } from './bus';
import { saveDraft, undoDepth } from './drafts';

interface Placed {
  id: number;
  items: number;
}

let placedCount = 0;

function onOrderPlaced(placed: Placed): void {
  placedCount += placed.items;
}

// Decoy: the last 50 orders, bounded.
const recent: Placed[] = [];

function remember(placed: Placed): void {
  recent.push(placed);
  if (recent.length > 50) recent.shift();
}

export function click(i: number): number {
  // LEAK 1 (through eventemitter3): a listener is added on every click and never removed;
  // eventemitter3 makes one listener object (its EE) per call and keeps it in bus._events.
  bus.on('order:placed', onOrderPlaced);
  const placed: Placed = { id: i, items: (i % 4) + 1 };
  bus.emit('order:placed', placed);
  remember(placed);
  saveDraft({ id: i, lines: [`item ${i}`, `item ${i + 1}`], comment: `draft comment for click ${i} ` + '-'.repeat(48) });
  return placedCount;
}

export function stats(): { listeners: number; undo: number; recent: number } {
  return { listeners: bus.listenerCount('order:placed'), undo: undoDepth(), recent: recent.length };
}

(globalThis as unknown as { webApp: unknown }).webApp = { click, stats };
