// The README's demo: evaluates every action in examples/actions against the
// policies in examples/policies and prints one row per finding or rewrite; then
// passes every tool result in examples/responses through the response policies.
// It uses only the public API, imported by package name as a user would.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, formatPath, loadPolicies } from 'tierguard';

const [policyDir = 'examples/policies', actionDir = 'examples/actions', responseDir = 'examples/responses'] = process.argv.slice(2);

const { definitions, sources } = await loadPolicies(policyDir);
const engine = await createEngine({ policies: definitions, sources });

const jsonFiles = async (directory) => (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
const readJson = async (directory, file) => JSON.parse(await readFile(join(directory, file), 'utf8'));

/** One row per violation, monitored violation, warning and rewrite; one `allow` row when there is none. */
function rowsOf(file, decision) {
  const rows = [];
  for (const finding of [...decision.violations, ...decision.wouldDeny, ...decision.wouldEscalate, ...decision.warnings]) {
    const outcome = finding.effect === 'warn' ? `${decision.outcome} (warn)` : decision.outcome;
    rows.push([file, outcome, finding.policyId, formatPath(finding.path), finding.message]);
  }
  for (const rewrite of decision.rewrites) {
    const value = rewrite.value === undefined ? '' : ` to ${JSON.stringify(rewrite.value)}`;
    rows.push([file, decision.outcome, rewrite.policyId, formatPath(rewrite.path), `rewritten: ${rewrite.op}${value}`]);
  }
  return rows.length > 0 ? rows : [[file, decision.outcome, '', '', '']];
}

const rows = [['action', 'outcome', 'policy', 'path', 'message']];
for (const file of await jsonFiles(actionDir)) {
  rows.push(...rowsOf(file, await engine.evaluate(await readJson(actionDir, file))));
}

const responses = [];
for (const file of await jsonFiles(responseDir)) {
  const { action, result } = await readJson(responseDir, file);
  const decision = await engine.evaluateResponse(action, result);
  rows.push(...rowsOf(file, decision));
  responses.push([file, decision.action.result.content.map((part) => part.text).join(' ')]);
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
const line = (row) =>
  row
    .map((cell, column) => cell.padEnd(widths[column]))
    .join('  ')
    .trimEnd();
console.log(`policies ${engine.version.slice(0, 19)}  (${engine.policyIds.length} policies)\n`);
console.log(line(rows[0]));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows.slice(1)) console.log(line(row));
console.log('\ntool output after the response policies:');
for (const [file, text] of responses) console.log(`  ${file}: ${JSON.stringify(text)}`);
