'use strict';
// The assertion message: heapdiff's verdict and its first finding, in the words of a test.

const path = require('node:path');
const { pathToFileURL } = require('node:url');

/** Bytes as heapdiff prints them (1 kB = 1000 B). */
function bytes(n) {
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a < 1000) return `${sign}${Math.round(a)} B`;
  for (const [unit, size] of [
    ['GB', 1e9],
    ['MB', 1e6],
    ['kB', 1e3],
  ]) {
    if (a >= size) return `${sign}${(a / size).toFixed(a / size < 10 ? 2 : 1)} ${unit}`;
  }
  return `${sign}${a} B`;
}

/** A count with thousands separators and at most one decimal. */
function count(n) {
  const rounded = Number.isInteger(n) ? n : Math.round(n * 10) / 10;
  return rounded.toLocaleString('en-US');
}

function mean(values) {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** `text` with this process's folder left out of paths: `app/leaky.js:13:34`. */
function relative(text) {
  const cwd = process.cwd();
  if (cwd === path.parse(cwd).root) return text;
  const prefix = cwd.endsWith(path.sep) ? cwd : `${cwd}${path.sep}`;
  return text
    .split(pathToFileURL(prefix).href)
    .join('')
    .split(prefix)
    .join('');
}

/**
 * What a failing leak test says: the verdict, then the first finding — who holds it, what it
 * keeps, the code that made it, its growth per iteration (per `run.unit` when given) — and
 * where the snapshots are.
 */
function leakMessage(report, run) {
  return relative(message(report, run));
}

function message(report, run) {
  const lines = [`heapdiff: ${report.verdict}`];
  const finding = (report.findings ?? [])[0];
  if (finding) {
    const holder = finding.holder?.short_path || finding.holder?.path || finding.label;
    lines.push(`  held by:   ${holder}`);
    const parts = (finding.parts ?? [])
      .slice(0, 4)
      .map((part) => `${part.label} ×${count(part.count)}`);
    if (parts.length > 0) lines.push(`  gained:    ${parts.join(', ')}`);
    if (finding.site) lines.push(`  made by:   ${finding.site.label}`);
    const perStep = mean(finding.step_bytes ?? []);
    const objects = mean(finding.step_counts ?? []);
    const unit = run.unit ?? 'iteration';
    lines.push(
      `  growth:    +${bytes(perStep / run.perStep)} and +${count(objects / run.perStep)} objects ` +
        `per ${unit} (${run.perStep} ${unit}s between snapshots, ${run.snapshots} snapshots)`,
    );
    if (!finding.site) {
      lines.push(
        `  if a cache: one that fills up to a bound grows until it is full; give a warmup ` +
          `(now ${run.warmup}) that fills it before the first snapshot`,
      );
    }
    for (const other of (finding.also_held_by ?? []).slice(0, 3)) {
      lines.push(`  also held by: ${other}`);
    }
    const more = (report.findings ?? []).filter((f) => f.growing).length - 1;
    if (more > 0) lines.push(`  and ${more} more growing finding${more === 1 ? '' : 's'}`);
  }
  if (run.dir) {
    lines.push(`Snapshots kept in ${run.dir}; the whole report: npx heapdiff ${run.dir}`);
  }
  return lines.join('\n');
}

module.exports = { bytes, count, leakMessage };
