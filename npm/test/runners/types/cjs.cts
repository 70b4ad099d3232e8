// Type-checked (tsc --noEmit, module nodenext), not run: a CommonJS module resolves heapdiff's
// "require" types, lib/index.d.ts.
import heapdiff = require('heapdiff');
import type { LeakOptions, LeakResult, SeriesReport } from 'heapdiff';

async function main(): Promise<void> {
  const options: LeakOptions = { warmup: 5, dir: 'snapshots', keep: 'on-failure' };
  const r: LeakResult = await heapdiff.checkLeak(() => new Array(10).fill(0), options);
  const report: SeriesReport = r.report;
  const verdict: string = report.verdict;
  const offHeap: number = report.findings[0]?.off_heap_bytes ?? 0;
  const rssGrowth: number | undefined = report.memory.process?.rss;
  void [offHeap, rssGrowth];
  const ok: LeakResult = await heapdiff.assertNoLeak(() => undefined);
  const key: string = heapdiff.platformKey();
  const run: { code: number; stdout: string; stderr: string } = await heapdiff.heapdiff(['--version']);
  void [verdict, ok.message, key, run.stdout];

  // @ts-expect-error snapshots is a number
  await heapdiff.checkLeak(() => {}, { snapshots: [4] });
  // @ts-expect-error there is no default export in the CommonJS types
  void heapdiff.default;
}

void main();
