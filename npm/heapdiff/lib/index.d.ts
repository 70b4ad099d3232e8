/** Options of a leak test: how often to repeat the work and what to do with the snapshots. */
export interface LeakOptions {
  /** Iterations measured, split evenly between the snapshots (default 30). */
  iterations?: number;
  /** Iterations before the first snapshot: caches fill, lazy code initialises (default 5). */
  warmup?: number;
  /** Snapshots to take, at least 3 so that growth at every step can be told from a one-time fill (default 4). */
  snapshots?: number;
  /** Folder for the snapshots (default: a new folder in the system's temporary folder). */
  dir?: string;
  /** Keep the snapshots `'on-failure'` (default), `'always'` or `'never'`. */
  keep?: 'on-failure' | 'always' | 'never';
  /** Budgets that fail the test (default `['growing.count>0']`: anything that grew at every step). */
  failIf?: string | string[];
  /** More heapdiff arguments, e.g. `['--ignore', 'Map']`. */
  args?: string[];
  /** The heapdiff binary to run (default: `HEAPDIFF_BIN`, else the installed platform package's). */
  binary?: string;
}

/** One finding of heapdiff's JSON report (README: "JSON"). */
export interface Finding {
  rank: number;
  evidence: 'growing' | 'not-growing' | 'two-snapshots';
  growing: boolean;
  suspicion: null | 'one-time-fill' | 'churn' | 'in-flight';
  label: string;
  holder: { id: number; class: string; path: string; short_path?: string; inside: string };
  step_bytes: number[];
  step_counts: number[];
  gained_bytes: number;
  gained_count: number;
  /** Of `gained_bytes`: ArrayBuffer backing stores, native objects, external strings' characters. */
  off_heap_bytes: number;
  parts: { label: string; count: number; self_size: number; internal: boolean }[];
  also_held_by: string[];
  site: null | {
    label: string;
    function: string;
    script: string;
    line: number;
    column: number;
    created_by: string | null;
  };
  fingerprint: string;
  [field: string]: unknown;
}

/** Memory outside the JS heap in one snapshot. */
export interface OffHeap {
  array_buffer_bytes: number;
  native_bytes: number;
  external_strings: number;
  worker_threads: number;
}

/** Memory outside the JS heap from the first snapshot to the last, and the process's RSS split. */
export interface MemorySplit {
  first: OffHeap;
  last: OffHeap;
  held_by_findings: number;
  /** When `process.memoryUsage()` was recorded beside both snapshots (the leak tests do). */
  process?: {
    rss_first: number;
    rss_last: number;
    rss: number;
    js_heap: number;
    array_buffers: number;
    other_external: number;
    native: number;
    unexplained: number;
  };
  [field: string]: unknown;
}

/** heapdiff's JSON report of a series of snapshots. */
export interface SeriesReport {
  command: 'series';
  verdict: string;
  findings: Finding[];
  memory: MemorySplit;
  [field: string]: unknown;
}

/** What a leak test measured. */
export interface LeakResult {
  /** Whether a budget was exceeded (by default: something grew at every step). */
  leaked: boolean;
  /** heapdiff's verdict; for a leak also its first finding and where the snapshots are. */
  message: string;
  /** heapdiff's whole JSON report, for checks of one's own. */
  report: SeriesReport;
  /** The snapshot files kept (none when they were deleted). */
  snapshots: string[];
  /** The folder of the kept snapshots, or null. */
  dir: string | null;
}

/** The AssertionError of a leak test, carrying heapdiff's report. */
export interface LeakAssertionError extends Error {
  code: 'ERR_ASSERTION';
  report: SeriesReport;
  snapshots: string[];
}

/** Runs `work(i)` repeatedly in this process and reports whether anything grew at every step. */
export function checkLeak(
  work: (iteration: number) => unknown | Promise<unknown>,
  options?: LeakOptions,
): Promise<LeakResult>;

/** Like `checkLeak`, but rejects with a `LeakAssertionError` naming the leak when one is found. */
export function assertNoLeak(
  work: (iteration: number) => unknown | Promise<unknown>,
  options?: LeakOptions,
): Promise<LeakResult>;

/** Runs the heapdiff binary with `args`. */
export function heapdiff(
  args: string[],
  options?: { binary?: string },
): Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs `heapdiff --json ARGS…` and parses the report (null when heapdiff printed none). */
export function heapdiffJson(
  args: string[],
  options?: { binary?: string },
): Promise<{ code: number; report: any; stderr: string }>;

/** The path of the heapdiff binary that would run; throws saying what to do when none fits. */
export function findBinary(): string;

/** This machine's platform key, as the binary packages are named (`linux-x64-gnu`). */
export function platformKey(): string;
