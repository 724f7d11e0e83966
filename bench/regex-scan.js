// What the whole-scan budget of rewrite `replace` patterns admits: for ordinary
// masking and collapsing rewrites over texts with many matches, the work each
// scan is charged (program size x bytes RE2 may read) as a share of
// limits.maxRegexWork, and how long the scan takes.
// Usage: npm run build && node bench/regex-scan.js
import { DEFAULT_LIMITS } from '../dist/limits.js';
import { compileScanner } from '../dist/regex/regex-engine.js';
import { printTable } from './shared.js';

const units = {
  aws: ' key AKIAABCDEFGHIJKLMNOP in prose.',
  openai: ' token sk-a1B2a1B2a1B2a1B2a1B2a1B2 then words.',
  spaces: 'word  \n\t other   ',
  quadratic: 'a',
};
const cases = [
  ['AKIA[0-9A-Z]{16}', 'aws'],
  ['sk-[A-Za-z0-9]{20,}', 'openai'],
  ['sk-[A-Za-z0-9]{20,64}', 'openai'],
  ['\\s+', 'spaces'],
  ['a(?:[\\s\\S]*z)?', 'quadratic'],
];

function scan(pattern, input, maxRegexWork) {
  const scanner = compileScanner(pattern, '', { maxRegexProgramSize: DEFAULT_LIMITS.maxRegexProgramSize, maxRegexWork });
  let matches = 0;
  scanner.scan(input, () => {
    matches += 1;
    return true;
  });
  return matches;
}

// The charge is not exposed; the smallest budget the scan passes under is it.
// Searched only up to the default budget: past it a quadratic scan really runs.
function charge(pattern, input) {
  let low = 1;
  let high = DEFAULT_LIMITS.maxRegexWork + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    try {
      scan(pattern, input, middle);
      high = middle;
    } catch {
      low = middle + 1;
    }
  }
  return low;
}

const rows = [];
for (const length of [10_000, 100_000, 1_000_000]) {
  for (const [pattern, unit] of cases) {
    const input = units[unit].repeat(Math.ceil(length / units[unit].length)).slice(0, length);
    let outcome;
    let matches = '';
    const started = process.hrtime.bigint();
    try {
      matches = String(scan(pattern, input, DEFAULT_LIMITS.maxRegexWork));
      outcome = 'scanned';
    } catch (error) {
      outcome = error.code;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const share = outcome === 'scanned' ? `${((100 * charge(pattern, input)) / DEFAULT_LIMITS.maxRegexWork).toFixed(1)}%` : 'over';
    rows.push([pattern, String(length), matches, share, outcome, ms.toFixed(0)]);
  }
}
printTable(['pattern', 'chars', 'matches', 'charge / maxRegexWork', 'outcome', 'ms'], rows, 1);
