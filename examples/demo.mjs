// The README's demo: evaluates every action in examples/actions against the
// policies in examples/policies and prints one row per finding. It uses only the
// public API, imported by package name as a user would.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, formatPath, loadPolicies } from 'tierguard';

const [policyDir = 'examples/policies', actionDir = 'examples/actions'] = process.argv.slice(2);

const { definitions, sources } = await loadPolicies(policyDir);
const engine = await createEngine({ policies: definitions, sources });

const rows = [['action', 'verdict', 'policy', 'path', 'message']];
for (const file of (await readdir(actionDir)).filter((name) => name.endsWith('.json')).sort()) {
  const action = JSON.parse(await readFile(join(actionDir, file), 'utf8'));
  const decision = await engine.evaluate(action);
  const findings = [...decision.violations, ...decision.warnings];
  if (findings.length === 0) rows.push([file, decision.verdict, '', '', '']);
  for (const finding of findings) {
    const verdict = finding.effect === 'warn' ? `${decision.verdict} (warn)` : decision.verdict;
    rows.push([file, verdict, finding.policyId, formatPath(finding.path), finding.message]);
  }
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
const line = (row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
console.log(`policies ${engine.version.slice(0, 19)}  (${engine.policyIds.length} policies)\n`);
console.log(line(rows[0]));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows.slice(1)) console.log(line(row));
