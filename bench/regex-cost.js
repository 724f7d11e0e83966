// How long RE2 takes on patterns that defeat its DFA, per estimated program
// instruction per input byte: the figure limits.maxRegexWork is chosen from.
// Usage: npm run build && node bench/regex-cost.js [--bytes 262144]
import { writeFileSync } from 'node:fs';
import { DEFAULT_LIMITS } from '../dist/limits.js';
import { compileRegex } from '../dist/regex/regex-engine.js';
import { estimateProgramSize } from '../dist/regex/program-size.js';
import { machine, median, printTable } from './shared.js';

const bytesArg = process.argv.indexOf('--bytes');
const bytes = bytesArg === -1 ? 262_144 : Number(process.argv[bytesArg + 1]);
const input = 'a'.repeat(bytes);
// Sizes chosen past the point where RE2's DFA runs out of memory and its NFA steps every instruction.
const patterns = ['(a|aa){600}b', '(a|aa){1000}b', '(?:a{1,100}){1,10}x', `^${'[^/]*a'.repeat(1600)}b$`];
// Unbounded: this measures the raw cost the bound is derived from.
const unbounded = { maxRegexProgramSize: Number.MAX_SAFE_INTEGER, maxRegexWork: Number.MAX_SAFE_INTEGER };

const rows = [];
const results = [];
let worst = 0;
for (const pattern of patterns) {
  const size = estimateProgramSize(pattern, '');
  const regex = compileRegex(pattern, '', unbounded);
  const times = [];
  for (let round = 0; round < 3; round += 1) {
    const started = process.hrtime.bigint();
    regex.test(input);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = median(times);
  const nsPerUnit = (ms * 1e6) / (size * bytes);
  worst = Math.max(worst, nsPerUnit);
  rows.push([pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern, String(size), ms.toFixed(0), nsPerUnit.toFixed(2)]);
  results.push({ pattern: pattern.slice(0, 200), estimatedSize: size, bytes, medianMs: ms, nsPerUnit });
}
printTable(['pattern', 'est. size', 'ms', 'ns / (instr x byte)'], rows, 1);
const budgetMs = (worst * DEFAULT_LIMITS.maxRegexWork) / 1e6;
console.log(
  `\nworst ${worst.toFixed(2)} ns per unit: limits.maxRegexWork (${DEFAULT_LIMITS.maxRegexWork}) is about ${budgetMs.toFixed(0)} ms per match`,
);
writeFileSync(
  new URL('./results/regex-cost.json', import.meta.url),
  `${JSON.stringify({ machine: machine(), results, worstNsPerUnit: worst, budgetMs }, null, 2)}\n`,
);
