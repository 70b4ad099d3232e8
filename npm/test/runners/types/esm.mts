// Type-checked (tsc --noEmit, module nodenext), not run: an ES module resolves heapdiff's
// "import" types, lib/index.d.mts.
import { assertNoLeak, checkLeak, findBinary, heapdiffJson } from 'heapdiff';
import type { Finding, LeakAssertionError, LeakOptions, LeakResult } from 'heapdiff';
import api from 'heapdiff';

const options: LeakOptions = { iterations: 40, warmup: 10, snapshots: 5, keep: 'never', args: ['--ignore', 'Map'] };

const r: LeakResult = await checkLeak((i) => i * 2, options);
const leaked: boolean = r.leaked;
const first: Finding | undefined = r.report.findings[0];
const where: string | undefined = first?.site?.label;
const steps: number[] = first?.step_bytes ?? [];
const dir: string | null = r.dir;

try {
  await assertNoLeak(async (i) => { await Promise.resolve(i); }, { failIf: 'growing.count>0' });
} catch (error) {
  const e = error as LeakAssertionError;
  const code: 'ERR_ASSERTION' = e.code;
  const kept: string[] = e.snapshots;
  const verdict: string = e.report.verdict;
  void [code, kept, verdict];
}

const binary: string = findBinary();
const same: LeakResult = await api.checkLeak(() => {}, { keep: 'always' });
void same.snapshots;
const { code, report } = await heapdiffJson(['a.heapsnapshot', 'b.heapsnapshot'], { binary });
void [leaked, where, steps, dir, code, report];

// The types are real, not `any`: each of these is an error.
// @ts-expect-error keep is one of 'on-failure', 'always', 'never'
await checkLeak(() => {}, { keep: 'sometimes' });
// @ts-expect-error iterations is a number
await checkLeak(() => {}, { iterations: '30' });
// @ts-expect-error the work comes first
await assertNoLeak({ iterations: 30 });
// @ts-expect-error a LeakResult has no `leaks`
void r.leaks;
