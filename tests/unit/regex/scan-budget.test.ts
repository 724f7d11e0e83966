import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { estimateProgram } from '../../../src/regex/program-size.js';
import { compileScanner } from '../../../src/regex/regex-engine.js';

// The gap the per-search bound left: the preferred branch `[\s\S]*z` keeps a
// thread alive to the end of the input, so each of N matches rereads the rest.
const QUADRATIC = 'a(?:[\\s\\S]*z)?';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const matchCount = (pattern: string, input: string, maxRegexWork: number): number => {
  let count = 0;
  compileScanner(pattern, '', { maxRegexProgramSize: DEFAULT_LIMITS.maxRegexProgramSize, maxRegexWork }).scan(input, () => {
    count += 1;
    return true;
  });
  return count;
};

describe('RegexScanner.scan: the work of a whole scan is bounded', () => {
  it('refuses the quadratic rewrite scan with LIMIT_EXCEEDED naming the pattern and maxRegexWork', () => {
    // 40,000 bytes x its program is far inside the per-search budget: only the total is over.
    const input = 'a'.repeat(40_000);
    expect(estimateProgram(QUADRATIC, '').size * input.length).toBeLessThan(DEFAULT_LIMITS.maxRegexWork);
    expect(() => matchCount(QUADRATIC, input, DEFAULT_LIMITS.maxRegexWork)).toThrow(
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        message: expect.stringMatching(/\/a\(\?:\[\\s\\S\]\*z\)\?\/.*limits\.maxRegexWork/) as string,
        details: expect.objectContaining({ limit: 'maxRegexWork' }) as unknown,
      }),
    );
  });

  it('hang guard: the quadratic scan of 200,000 characters settles (bounded wait, in a child process)', () => {
    // Unbounded, this scan takes minutes; a child process lets a hang be seen and killed.
    const script = `
      import { compileScanner } from './dist/regex/regex-engine.js';
      import { DEFAULT_LIMITS } from './dist/limits.js';
      try { compileScanner(${JSON.stringify(QUADRATIC)}, '', DEFAULT_LIMITS).scan('a'.repeat(200000), () => true); console.log('completed'); }
      catch (error) { console.log(error.code); }`;
    const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.signal).toBeNull();
    expect(run.stdout.trim()).toBe('LIMIT_EXCEEDED');
  });

  it('charges size x the rest of the input per search for a loop that may run to the end: exactly at the budget passes, one under refuses', () => {
    // Every search from i matches [i, i+1) and may read to the end (n - i bytes); the last finds nothing at the end.
    const n = 100;
    const total = estimateProgram(QUADRATIC, '').size * ((n * (n + 1)) / 2);
    expect(matchCount(QUADRATIC, 'a'.repeat(n), total)).toBe(n);
    expect(() => matchCount(QUADRATIC, 'a'.repeat(n), total - 1)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it('charges a bounded pattern only up to its reach past each match: `ab` over "ab" x n', () => {
    // From each match start, RE2 is done after 2 code points plus one of lookahead: 3 bytes per search, from its start.
    const n = 1_000;
    const size = estimateProgram('ab', '').size;
    const total = size * (3 * (n - 1) + 2);
    expect(matchCount('ab', 'ab'.repeat(n), total)).toBe(n);
    expect(() => matchCount('ab', 'ab'.repeat(n), total - 1)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it.each([
    ['AKIA[0-9A-Z]{16}', ' key AKIAABCDEFGHIJKLMNOP in prose.', 'AKIA****'],
    ['sk-[A-Za-z0-9]{20,}', ' token sk-a1B2a1B2a1B2a1B2a1B2a1B2 then words.', 'sk-****'],
    ['\\s+', 'word  \n\t other   ', ' '],
  ])('still scans /%s/ over about 100 KB with thousands of matches', (pattern, unit, replacement) => {
    const input = unit.repeat(Math.ceil(100_000 / unit.length));
    const matches = matchCount(pattern, input, DEFAULT_LIMITS.maxRegexWork);
    expect(matches).toBeGreaterThan(2_000);
    expect(input.replace(new RegExp(pattern, 'g'), replacement)).not.toBe(input);
  });
});

describe('engine: a response rewrite over hostile tool output', () => {
  it('fails closed: the quadratic rewrite over a long result is a deny with LIMIT_EXCEEDED, not a stall or an allow', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'scrub', tools: ['t'], on: 'response', rewrite: [{ op: 'replace', field: 'result.text', pattern: QUADRATIC, with: '[x]' }] },
      ],
    });
    const decision = await engine.evaluateResponse({ tool: 't', arguments: {} }, { text: 'a'.repeat(40_000) });
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', policyId: 'scrub' })]);
  });

  it('a bounded masking rewrite over the same length of output still applies', async () => {
    const engine = await createEngine({
      policies: [
        {
          id: 'scrub',
          tools: ['t'],
          on: 'response',
          rewrite: [{ op: 'replace', field: 'result.text', pattern: 'AKIA[0-9A-Z]{16}', with: 'AKIA****' }],
        },
      ],
    });
    const text = 'AKIAABCDEFGHIJKLMNOP '.repeat(2_000);
    const decision = await engine.evaluateResponse({ tool: 't', arguments: {} }, { text });
    expect(decision.verdict).toBe('allow');
    expect((decision.action.result as { text: string }).text).toBe('AKIA**** '.repeat(2_000));
  });
});
