/**
 * Profiles tierguard's formal tier end to end (`await engine.evaluate(action)`
 * on the actions of suites/formal-tier.json) with `node --cpu-prof`, and prints
 * where the self time goes: by package (tierguard's own code in dist/, n3,
 * clownface, rdf-validate-shacl, ...) and the top functions.
 *
 * Usage: npm run build && node bench/profile-formal.js [--seconds 5] [--action allowed] [--top 25] [--keep]
 *
 * The parent spawns itself with --cpu-prof into a temporary folder and reads
 * the profile back; `--keep` leaves the .cpuprofile there (for Chrome DevTools).
 * Only samples taken while the loop ran count: module loading and createEngine
 * are left out (the child records the loop's start and end on the profiler's
 * clock, CLOCK_MONOTONIC, which process.hrtime also reads).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    action: { type: 'string', multiple: true },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    loop: { type: 'string' },
  },
});

/** The child: evaluates the chosen actions in turn for the given time, and writes the loop's window to `windowFile`. @param {string} windowFile */
async function loop(windowFile) {
  const { createEngine } = await import('../dist/index.js');
  const suite = JSON.parse(readFileSync(join(HERE, 'suites', 'formal-tier.json'), 'utf8'));
  const engine = await createEngine({ policies: suite.policies });
  /** @type {{ name: string, expect: string, action: import('../dist/index.js').Action }[]} */
  const actions = suite.actions.filter(
    (/** @type {{ name: string }} */ bench) => options.action === undefined || options.action.includes(bench.name),
  );
  if (actions.length === 0) throw new Error(`no action named ${options.action?.join(', ')} in formal-tier.json`);
  const deadline = performance.now() + Number(options.seconds) * 1000;
  const micros = () => Number(process.hrtime.bigint() / 1000n);
  const start = micros();
  let calls = 0;
  while (performance.now() < deadline) {
    for (const bench of actions) {
      const decision = await engine.evaluate(bench.action);
      if (decision.verdict !== bench.expect) throw new Error(`${bench.name}: expected ${bench.expect}, got ${decision.verdict}`);
      calls += 1;
    }
  }
  writeFileSync(windowFile, JSON.stringify({ start, end: micros() }));
  console.error(`profiled ${calls.toLocaleString('en-US')} evaluations of ${actions.map((bench) => bench.name).join(' + ')}`);
}

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], startTime: number, samples: number[], timeDeltas: number[] }} Profile
 */

/** The package a script belongs to: tierguard's own dist/, a node_modules package, or Node itself. @param {string} url */
function packageOf(url) {
  if (url === '') return '(vm: gc, program, idle)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope = '', name = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.includes('/dist/')) return 'tierguard (dist/)';
  if (url.includes('/bench/')) return 'bench harness';
  return url;
}

/** A call frame as one line: function, file (from node_modules/ or dist/) and line. @param {ProfileNode['callFrame']} frame */
function frameName({ functionName, url, lineNumber }) {
  const file = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${file}`;
}

/**
 * Prints self time by package and by function, and the inclusive time of
 * tierguard's own functions, counting only samples inside the loop's window.
 * @param {Profile} profile @param {{ start: number, end: number }} window @param {number} top
 */
function summarise(profile, window, top) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const selfTime = new Map();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= window.start && at <= window.end) selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
  });
  const total = [...selfTime.values()].reduce((sum, value) => sum + value, 0);
  if (total === 0) throw new Error('no samples inside the loop window: the profiler and process.hrtime disagree on the clock');

  /** @type {Map<string, number>} */
  const packages = new Map();
  /** @type {Map<string, number>} */
  const functions = new Map();
  /** @type {Map<string, number>} */
  const ourFiles = new Map();
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)?.callFrame ?? { functionName: '?', url: '', lineNumber: 0 };
    const where = packageOf(frame.url);
    packages.set(where, (packages.get(where) ?? 0) + time);
    functions.set(frameName(frame), (functions.get(frameName(frame)) ?? 0) + time);
    if (where === 'tierguard (dist/)') {
      const file = frame.url.replace(/^.*\/dist\//, 'dist/');
      ourFiles.set(file, (ourFiles.get(file) ?? 0) + time);
    }
  }

  // Inclusive time of tierguard's functions: self time of the node and every node below it.
  /** @type {Map<number, number>} */
  const inclusive = new Map();
  const visit = (/** @type {ProfileNode} */ node) => {
    let sum = selfTime.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += visit(/** @type {ProfileNode} */ (byId.get(child)));
    inclusive.set(node.id, sum);
    return sum;
  };
  const [root] = profile.nodes;
  if (root !== undefined) visit(root);
  /** @type {Map<string, number>} */
  const ours = new Map();
  const walk = (/** @type {ProfileNode} */ node, /** @type {Set<string>} */ above) => {
    const name = frameName(node.callFrame);
    const counted = packageOf(node.callFrame.url) === 'tierguard (dist/)' && !above.has(name);
    if (counted) ours.set(name, (ours.get(name) ?? 0) + (inclusive.get(node.id) ?? 0));
    const next = counted ? new Set([...above, name]) : above;
    for (const child of node.children ?? []) walk(/** @type {ProfileNode} */ (byId.get(child)), next);
  };
  if (root !== undefined) walk(root, new Set());

  const percent = (/** @type {number} */ time) => `${((time / total) * 100).toFixed(1).padStart(5)}%`;
  const ranked = (/** @type {Map<string, number>} */ map) => [...map].sort((left, right) => right[1] - left[1]);
  console.log(`\nself time by package (${(total / 1000).toFixed(0)} ms of samples inside the loop)`);
  for (const [name, time] of ranked(packages)) console.log(`  ${percent(time)}  ${name}`);
  console.log('\nself time in tierguard, by file');
  for (const [name, time] of ranked(ourFiles)) console.log(`  ${percent(time)}  ${name}`);
  console.log(`\ntop ${top} functions by self time`);
  for (const [name, time] of ranked(functions).slice(0, top)) console.log(`  ${percent(time)}  ${name}`);
  console.log('\ntierguard functions by inclusive time (synchronous work only: what runs after an await is charged to the microtask)');
  for (const [name, time] of ranked(ours).slice(0, 12)) console.log(`  ${percent(time)}  ${name}`);
}

function profileChild() {
  const folder = mkdtempSync(join(os.tmpdir(), 'tierguard-profile-'));
  const windowFile = join(folder, 'window.json');
  const args = [
    `--cpu-prof`,
    `--cpu-prof-dir=${folder}`,
    fileURLToPath(import.meta.url),
    '--loop',
    windowFile,
    '--seconds',
    String(options.seconds),
  ];
  for (const name of options.action ?? []) args.push('--action', name);
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`the profiled run failed (exit ${child.status})`);
  const [file] = readdirSync(folder).filter((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile written to ${folder}`);
  summarise(JSON.parse(readFileSync(join(folder, file), 'utf8')), JSON.parse(readFileSync(windowFile, 'utf8')), Number(options.top));
  if (options.keep) console.log(`\nprofile kept: ${join(folder, file)}`);
  else rmSync(folder, { recursive: true, force: true });
}

if (options.loop !== undefined) await loop(options.loop);
else profileChild();
