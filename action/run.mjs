#!/usr/bin/env node
// The entry script of heapdiff's GitHub Action (../action.yml): installs heapdiff, runs it on
// the snapshots, writes the markdown report to the job summary, prints annotations and sets the
// step's outputs. It only calls the binary: every number and every sentence is heapdiff's own.
//
// Environment (action.yml passes each input explicitly, as composite actions must):
//   INPUT_SNAPSHOTS       one path per line: two or more snapshot files, or one directory
//   INPUT_FAIL_IF         one budget per line (`--fail-if`)
//   INPUT_FAIL_ON_GROWTH  a size (`--fail-on-growth`)
//   INPUT_IGNORE          one pattern per line (`--ignore`)
//   INPUT_BASELINE        a baseline file (`--baseline`); INPUT_WRITE_BASELINE (`--write-baseline`)
//   INPUT_SOURCE_ROOT     the directory the program ran in (`--source-root`; default: the
//                         workspace): scripts below it are files of the repository
//   INPUT_ARGS            more heapdiff arguments, split at whitespace
//   INPUT_SARIF           `true`: also write heapdiff.sarif (`--format sarif`)
//   INPUT_ANNOTATE        `false`: no annotations
//   INPUT_HEAPDIFF_PATH   a heapdiff binary to use (or HEAPDIFF_BIN); else installed per
//   INPUT_INSTALL         `release` (GitHub release binary, Linux x64) or `npm`,
//   INPUT_VERSION         `latest` or a version, from
//   INPUT_RELEASE_REPOSITORY  the repository whose releases hold the binary.
// The names GitHub gives a JavaScript action's inputs (INPUT_FAIL-IF) are read too.
// Plus what GitHub sets: GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP.
//
// Exit status: heapdiff's (0 ok, 1 a budget was exceeded, 2 could not check). Anything that
// keeps the check from running — a bad input, a failed install, heapdiff killed or exiting
// with another status, a report that cannot be read — is 2, never 0.

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OK = 0;
const EXCEEDED = 1;
const CANNOT_CHECK = 2;

/** GitHub shows at most 10 error and 10 warning annotations of a step. */
const MAX_SITE_ANNOTATIONS = 10;
/** A step summary may hold 1 MiB. */
const MAX_SUMMARY_BYTES = 1000 * 1000;
const RELEASE_ASSET = 'heapdiff-x86_64-unknown-linux-gnu.tar.gz';

/** A problem with the action's inputs or its setup: exit 2 with this message. */
class CannotCheck extends Error {}

// ---- Inputs ---------------------------------------------------------------------------------

function input(name) {
  const upper = name.toUpperCase();
  const value =
    process.env[`INPUT_${upper.replaceAll('-', '_')}`] ?? process.env[`INPUT_${upper}`] ?? '';
  return value.trim();
}

/** A multi-line input: one value per line, blank lines left out. */
function inputLines(name) {
  return input(name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function inputBool(name, fallback) {
  const value = input(name).toLowerCase();
  if (value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new CannotCheck(`input ${name} must be true or false, not '${input(name)}'`);
}

function readSettings() {
  const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
  const snapshots = inputLines('snapshots');
  if (snapshots.length === 0) {
    throw new CannotCheck(
      'input snapshots is empty: give two or more snapshot files, or one directory, one per line',
    );
  }
  const sourceRoot = input('source-root');
  const install = input('install') || 'release';
  if (install !== 'release' && install !== 'npm') {
    throw new CannotCheck(`input install must be release or npm, not '${install}'`);
  }
  return {
    workspace,
    snapshots,
    failIf: inputLines('fail-if'),
    failOnGrowth: input('fail-on-growth'),
    ignore: inputLines('ignore'),
    baseline: input('baseline'),
    writeBaseline: input('write-baseline'),
    sourceRoot: sourceRoot === '' ? '' : path.resolve(workspace, sourceRoot),
    args: input('args')
      .split(/\s+/)
      .filter((arg) => arg !== ''),
    sarif: inputBool('sarif', false),
    annotate: inputBool('annotate', true),
    heapdiffPath: input('heapdiff-path') || (process.env.HEAPDIFF_BIN ?? '').trim(),
    install,
    version: input('version') || 'latest',
    releaseRepository: input('release-repository') || 'heapdiff/heapdiff',
  };
}

// ---- Workflow commands and files ------------------------------------------------------------
// Escaping as GitHub documents it and @actions/core does it (toolkit packages/core/src/command.ts).

function escapeData(text) {
  return String(text).replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text) {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** Prints `::NAME k=v,…::MESSAGE`, leaving out properties that are undefined. */
function command(name, properties, message) {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  process.stdout.write(`::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}\n`);
}

/** Prints text that is not ours (heapdiff's stderr) with workflow commands turned off. */
function printVerbatim(text) {
  if (text.trim() === '') return;
  const token = randomUUID();
  process.stdout.write(`::stop-commands::${token}\n`);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  process.stdout.write(`::${token}::\n`);
}

/** Sets a step output: `name=value`, or the heredoc form for a value with a line break. */
function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  const text = String(value);
  if (!/[\r\n]/.test(text)) {
    fs.appendFileSync(file, `${name}=${text}\n`);
    return;
  }
  let delimiter;
  do delimiter = `ghadelimiter_${randomUUID()}`;
  while (text.includes(delimiter));
  fs.appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`);
}

function appendSummary(markdown) {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  let text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text) > MAX_SUMMARY_BYTES) {
    const cut = Buffer.from(text).subarray(0, MAX_SUMMARY_BYTES - 200).toString();
    text = `${cut.slice(0, cut.lastIndexOf('\n') + 1)}\n_The report is longer than a job summary may be; the whole report is the action's \`report\` output._\n`;
  }
  fs.appendFileSync(file, `${text}\n`);
}

// ---- Installing heapdiff --------------------------------------------------------------------

function runInherit(program, args) {
  const result = spawnSync(program, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.error) throw new CannotCheck(`${program}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new CannotCheck(`${program} ${args.join(' ')} failed (status ${result.status})`);
  }
}

function findFile(dir, name) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

async function installHeapdiff(settings, workDir) {
  if (settings.heapdiffPath !== '') {
    const bin = path.resolve(settings.workspace, settings.heapdiffPath);
    if (!fs.existsSync(bin)) throw new CannotCheck(`heapdiff-path ${bin} does not exist`);
    return bin;
  }
  if (settings.install === 'npm') {
    const spec = `heapdiff@${settings.version.replace(/^v(?=\d)/, '')}`;
    runInherit('npm', ['install', '--global', spec]);
    return 'heapdiff';
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new CannotCheck(
      `heapdiff's releases have a binary for Linux x64 only, this runner is ${process.platform} ${process.arch}: set install: npm or heapdiff-path`,
    );
  }
  const base = `https://github.com/${settings.releaseRepository}/releases`;
  const url =
    settings.version === 'latest'
      ? `${base}/latest/download/${RELEASE_ASSET}`
      : `${base}/download/v${settings.version.replace(/^v/, '')}/${RELEASE_ASSET}`;
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CannotCheck(`downloading ${url}: ${error.message}`);
  }
  if (!response.ok) {
    throw new CannotCheck(`downloading ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const archive = path.join(workDir, RELEASE_ASSET);
  fs.writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  const dir = path.join(workDir, 'bin');
  fs.mkdirSync(dir);
  runInherit('tar', ['-xzf', archive, '-C', dir]);
  const bin = findFile(dir, 'heapdiff');
  if (!bin) throw new CannotCheck(`${url} holds no file named heapdiff`);
  fs.chmodSync(bin, 0o755);
  return bin;
}

// ---- Running heapdiff -----------------------------------------------------------------------

/** Runs heapdiff; its status is 0, 1 or 2, and whatever else happens is 2. */
function runHeapdiff(bin, args) {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error) return { code: CANNOT_CHECK, output: `cannot run ${bin}: ${result.error.message}` };
  if (result.status === null) {
    return { code: CANNOT_CHECK, output: `${output}heapdiff was killed by ${result.signal}\n` };
  }
  if (![OK, EXCEEDED, CANNOT_CHECK].includes(result.status)) {
    return { code: CANNOT_CHECK, output: `${output}heapdiff exited with status ${result.status}\n` };
  }
  return { code: result.status, output };
}

/** heapdiff's message for a run that could not check, without clap's usage hints. */
function problem(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !/^(For more information|Usage:|\s)/.test(line));
  return lines.slice(0, 5).join('\n') || 'heapdiff could not check (no message)';
}

function heapdiffArgs(settings) {
  const args = ['--quiet'];
  for (const budget of settings.failIf) args.push('--fail-if', budget);
  if (settings.failOnGrowth !== '') args.push('--fail-on-growth', settings.failOnGrowth);
  for (const pattern of settings.ignore) args.push('--ignore', pattern);
  if (settings.baseline !== '') args.push('--baseline', settings.baseline);
  if (settings.sourceRoot !== '') args.push('--source-root', settings.sourceRoot);
  args.push(...settings.args);
  return args;
}

// ---- Findings and their sites ---------------------------------------------------------------

/** A finding heapdiff suspects: grew at every step, or one step's gain with no milder reading. */
function isSuspected(finding) {
  return (
    finding.growing === true ||
    (finding.evidence === 'two-snapshots' && (finding.suspicion ?? null) === null)
  );
}

/**
 * `{label, script, line, column}` of a finding: its `site` (for eval'd code, where it was
 * compiled: `created_by` reads `compile (app.js:12:5)`), else its first part's `… @ S:L:C`.
 */
function siteOf(finding) {
  const site = finding.site;
  const origin = site?.script === '<eval>' && /\((.+):(\d+):(\d+)\)$/.exec(site.created_by ?? '');
  if (origin) {
    return { label: site.label, script: origin[1], line: Number(origin[2]), column: Number(origin[3]) };
  }
  if (site && typeof site.script === 'string' && site.script !== '') {
    return {
      label: site.label ?? site.script,
      script: site.script,
      line: Number.isInteger(site.line) ? site.line : undefined,
      column: Number.isInteger(site.column) ? site.column : undefined,
    };
  }
  for (const part of finding.parts ?? []) {
    const m = / @ (.+?):(\d+):(\d+)(?=$|, created by )/.exec(part.label ?? '');
    if (m) {
      return { label: part.label, script: m[1], line: Number(m[2]), column: Number(m[3]) };
    }
  }
  return undefined;
}

/**
 * The path of a script relative to the workspace when it is a file of the repository: a file
 * path or file:// URL below the source root (relative paths are taken from it), not in
 * node_modules, and present in the workspace. Anything else (URLs, `<eval>`, `node:…`, files
 * of other directories) is undefined.
 */
function localPath(script, workspace, sourceRoot) {
  let file = script;
  if (/^file:/i.test(file)) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file)) {
    return undefined;
  }
  if (file.startsWith('<')) return undefined;
  const root = sourceRoot || workspace;
  const relative = path.relative(root, path.resolve(root, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(/[\\/]/);
  if (parts.includes('node_modules')) return undefined;
  const inWorkspace = path.join(workspace, relative);
  if (!fs.existsSync(inWorkspace) || !fs.statSync(inWorkspace).isFile()) return undefined;
  return parts.join('/');
}

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return `${bytes}`;
  const units = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(bytes) >= size) return `${Number((bytes / size).toPrecision(3))} ${unit}`;
  }
  return `${bytes} B`;
}

/** One line on a finding, naming its site unless one of the parts shown does. */
function describe(finding, site) {
  const parts = (finding.parts ?? [])
    .filter((part) => !part.internal)
    .slice(0, 3)
    .map((part) => `${part.label} ×${part.count}`);
  const holder = finding.holder?.path || finding.label;
  const what = parts.length > 0 ? `${parts.join(', ')} ` : '';
  const how = finding.growing ? 'grew at every step' : 'one step';
  const count = Number(finding.gained_count);
  const objects = `${count.toLocaleString('en-US')} object${count === 1 ? '' : 's'}`;
  const line = `#${finding.rank} ${holder} gains ${what}(+${formatBytes(finding.gained_bytes)}, ${objects}; ${how})`;
  return site && !line.includes(site.label) ? `${line}, allocated by ${site.label}` : line;
}

function annotate(report, code, settings) {
  const level = code === EXCEEDED ? 'error' : 'warning';
  const suspected = (report.findings ?? []).filter(isSuspected);
  const elsewhere = [];
  let placed = 0;
  for (const finding of suspected) {
    const site = siteOf(finding);
    const file = site && localPath(site.script, settings.workspace, settings.sourceRoot);
    if (!file || placed >= MAX_SITE_ANNOTATIONS) {
      elsewhere.push(describe(finding, site));
      continue;
    }
    placed += 1;
    const kind = finding.growing ? 'leak' : 'possible leak';
    command(
      level,
      { file, line: site.line, col: site.column, title: `heapdiff: ${kind} held by ${finding.label}` },
      describe(finding, site),
    );
  }
  if (elsewhere.length > 0) {
    const shown = elsewhere.slice(0, MAX_SITE_ANNOTATIONS);
    if (elsewhere.length > shown.length) {
      shown.push(`… and ${elsewhere.length - shown.length} more in the report`);
    }
    command('warning', { title: 'heapdiff' }, [report.verdict, ...shown].join('\n'));
  }
}

/** The error of a failed check: the budgets exceeded, else (a baseline's new finding) the verdict. */
function failedCheck(report) {
  const exceeded = (report.budgets ?? []).filter((budget) => budget.exceeded);
  if (exceeded.length === 0) {
    command('error', { title: 'heapdiff: check failed' }, report.verdict || 'heapdiff exited with 1');
    return;
  }
  const value = (budget, n) => (budget.bytes ? formatBytes(n) : `${n}`);
  const lines = exceeded.map(
    (b) => `${b.budget}: actual ${value(b, b.actual)}, limit ${value(b, b.limit)}`,
  );
  command('error', { title: 'heapdiff: budget exceeded' }, lines.join('\n'));
}

// ---- Main -----------------------------------------------------------------------------------

function cannotCheck(message) {
  command('error', { title: 'heapdiff could not check' }, message);
  const fence = '`'.repeat(Math.max(3, ...(message.match(/`+/g) ?? []).map((m) => m.length + 1)));
  appendSummary(`**heapdiff could not check** (exit 2)\n\n${fence}\n${message}\n${fence}\n`);
  setOutput('exit-code', CANNOT_CHECK);
  return CANNOT_CHECK;
}

async function main() {
  const settings = readSettings();
  const tempRoot = process.env.RUNNER_TEMP || os.tmpdir();
  const workDir = fs.mkdtempSync(path.join(tempRoot, 'heapdiff-'));
  const bin = await installHeapdiff(settings, workDir);
  const common = heapdiffArgs(settings);
  const jsonPath = path.join(workDir, 'report.json');
  const reportPath = path.join(workDir, 'report.md');
  const sarifPath = path.join(workDir, 'heapdiff.sarif');
  const withSnapshots = (args) => [...args, ...common, '--', ...settings.snapshots];

  const writeBaseline =
    settings.writeBaseline === '' ? [] : ['--write-baseline', settings.writeBaseline];
  const first = runHeapdiff(bin, withSnapshots(['--format', 'json', '-o', jsonPath, ...writeBaseline]));
  printVerbatim(first.output);
  if (first.code === CANNOT_CHECK) return cannotCheck(problem(first.output));

  let report;
  try {
    report = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (error) {
    return cannotCheck(`heapdiff's JSON report cannot be read: ${error.message}`);
  }
  const later = [{ format: 'markdown', path: reportPath }];
  if (settings.sarif) later.push({ format: 'sarif', path: sarifPath });
  for (const run of later) {
    Object.assign(run, runHeapdiff(bin, withSnapshots(['--format', run.format, '-o', run.path])));
  }
  const failed = later.find((run) => run.code !== first.code);
  if (failed) printVerbatim(failed.output);

  setOutput('verdict', report.verdict ?? '');
  setOutput('findings', (report.findings ?? []).length);
  setOutput('growing', (report.findings ?? []).filter((finding) => finding.growing).length);
  setOutput('json', jsonPath);
  if (fs.existsSync(reportPath)) {
    setOutput('report', reportPath);
    appendSummary(fs.readFileSync(reportPath, 'utf8'));
  }
  if (settings.sarif && fs.existsSync(sarifPath)) setOutput('sarif', sarifPath);
  if (settings.annotate) annotate(report, first.code, settings);
  if (failed) {
    // Each run sees the same snapshots and budgets; one that disagrees could not check.
    const message =
      failed.code === CANNOT_CHECK
        ? problem(failed.output)
        : `heapdiff exited with ${failed.code} for --format ${failed.format} but ${first.code} for --format json`;
    return cannotCheck(message);
  }
  if (first.code === EXCEEDED) failedCheck(report);
  setOutput('exit-code', first.code);
  return first.code;
}

// Whatever goes wrong here, the step must not pass: 2 is set before anything can throw.
process.exitCode = CANNOT_CHECK;
try {
  process.exitCode = await main();
} catch (error) {
  const message = error instanceof CannotCheck ? error.message : `${error.stack ?? error}`;
  try {
    cannotCheck(message);
  } catch (again) {
    process.stderr.write(`heapdiff action: ${message}\n${again}\n`);
  }
  process.exitCode = CANNOT_CHECK;
}
