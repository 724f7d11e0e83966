import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, isTierguardError, TierguardError } from '../../../src/index.js';
import type { Limits, PolicyDefinition } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compileRegex, compileScanner, RegexTooLargeError } from '../../../src/regex/regex-engine.js';
import { estimateProgramSize } from '../../../src/regex/program-size.js';

// The issue's patterns: RE2's DFA gives up on them and its NFA pays the whole program per input byte.
const ALTERNATING = '(a|aa){1000}b';
const NESTED = '(?:a{1,100}){1,10}x';
const OVERSIZED = ALTERNATING.repeat(3);
const MIB = 1_048_576;

async function policyError(policy: PolicyDefinition, limits?: Partial<Limits>): Promise<TierguardError> {
  const error: unknown = await createEngine({ policies: [policy], ...(limits === undefined ? {} : { limits }) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isTierguardError(error, 'INVALID_POLICY')) throw new Error(`expected INVALID_POLICY, got ${String(error)}`);
  return error;
}

function pointers(error: TierguardError): string[] {
  return (error.details.issues as { pointer: string }[]).map((issue) => issue.pointer);
}

const regexPolicy = (value: string): PolicyDefinition => ({
  id: 'big',
  tools: ['t'],
  assert: { field: 'arguments.s', op: 'regex', value },
});

describe('compileRegex: the program-size bound', () => {
  it('rejects a pattern whose program is over limits.maxRegexProgramSize, naming the policy and pointer', async () => {
    const error = await policyError(regexPolicy(OVERSIZED));
    expect(error.message).toContain('policy "big"');
    expect(error.message).toContain('maxRegexProgramSize');
    expect(pointers(error)).toEqual(['/assert/value']);
  });

  it('accepts a pattern exactly at the limit and rejects it one instruction under (edge of the limit)', async () => {
    const size = estimateProgramSize(NESTED, '');
    await expect(createEngine({ policies: [regexPolicy(NESTED)], limits: { maxRegexProgramSize: size } })).resolves.toBeDefined();
    const error = await policyError(regexPolicy(NESTED), { maxRegexProgramSize: size - 1 });
    expect(pointers(error)).toEqual(['/assert/value']);
  });

  it('is overridable upwards through createEngine({ limits })', async () => {
    await policyError(regexPolicy(OVERSIZED));
    await expect(createEngine({ policies: [regexPolicy(OVERSIZED)], limits: { maxRegexProgramSize: 100_000 } })).resolves.toBeDefined();
  });

  it('throws RegexTooLargeError from the seam itself, for every caller', () => {
    expect(() => compileRegex(OVERSIZED, '', DEFAULT_LIMITS)).toThrow(RegexTooLargeError);
    expect(() => compileScanner(OVERSIZED, '', DEFAULT_LIMITS)).toThrow(RegexTooLargeError);
  });

  it('bounds `sh:pattern` in generated shapes', async () => {
    const error = await policyError({ id: 'shape', tools: ['t'], shape: { properties: [{ path: 'arguments.x', pattern: OVERSIZED }] } });
    expect(error.message).toContain('policy "shape"');
    expect(pointers(error)).toEqual(['/shape/properties/0/pattern']);
  });

  it('bounds `sh:pattern` in a hand-written shapesFile', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tierguard-regex-size-'));
    try {
      const file = join(directory, 'big.ttl');
      writeFileSync(
        file,
        `@prefix sh: <http://www.w3.org/ns/shacl#>. @prefix tg: <urn:tierguard:>. @prefix key: <urn:tierguard:key:>.
tg:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path (key:arguments key:x); sh:pattern "${OVERSIZED}" ].\n`,
      );
      const error = await policyError({ id: 'file', tools: ['t'], shapesFile: file });
      expect(error.message).toContain('policy "file"');
      expect(error.message).toContain('maxRegexProgramSize');
      expect(pointers(error)).toEqual(['/shapesFile']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('bounds rewrite `replace` patterns', async () => {
    const error = await policyError({
      id: 'rw',
      tools: ['t'],
      rewrite: [{ op: 'replace', field: 'arguments.s', pattern: OVERSIZED, with: '' }],
    });
    expect(error.message).toContain('policy "rw"');
    expect(pointers(error)).toEqual(['/rewrite/0/pattern']);
  });

  it('still compiles every legitimate pattern of the examples, including ^[\\s\\S]{500,}$', () => {
    for (const pattern of [
      '^[\\s\\S]{500,}$',
      '^[^@\\s]+@example\\.com$',
      '^[0-9]{5}(-[0-9]{4})?$',
      '\\u001b\\[[0-9;]*m',
      'sk-[A-Za-z0-9]{16,}',
      'a'.repeat(DEFAULT_LIMITS.maxPatternLength),
    ]) {
      expect(() => compileRegex(pattern, '', DEFAULT_LIMITS)).not.toThrow();
    }
  });
});

describe('compileRegex: the work bound (program size x input bytes)', () => {
  const size = estimateProgramSize('^a+$', '');
  const bounds = { maxRegexProgramSize: DEFAULT_LIMITS.maxRegexProgramSize, maxRegexWork: size * 100 };

  it('reads an input of exactly maxRegexWork / size UTF-8 bytes and refuses one byte more (edge of the limit)', () => {
    const regex = compileRegex('^a+$', '', bounds);
    expect(regex.test('a'.repeat(100))).toBe(true);
    expect(() => regex.test('a'.repeat(101))).toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', details: expect.objectContaining({ limit: 'maxRegexWork' }) as unknown }),
    );
  });

  it('counts UTF-8 bytes, not UTF-16 units: 50 two-byte characters fit, 51 do not', () => {
    const regex = compileRegex('^a+$', '', bounds);
    expect(regex.test('é'.repeat(50))).toBe(false);
    expect(() => regex.test('é'.repeat(51))).toThrow(TierguardError);
  });

  it('refuses before scanning in rewrites too', () => {
    const scanner = compileScanner('^a+$', '', bounds);
    expect(() => scanner.scan('a'.repeat(101), () => true)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it("the issue's (a|aa){1000}b on a 1 MiB string is a LIMIT_EXCEEDED error and a deny, not a 20 s stall", async () => {
    const engine = await createEngine({
      policies: [{ id: 'p', tools: ['t'], assert: { not: { field: 'arguments.s', op: 'regex', value: ALTERNATING } } }],
    });
    const decision = await engine.evaluate({ tool: 't', arguments: { s: 'a'.repeat(MIB) } });
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toEqual([
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', policyId: 'p', message: expect.stringContaining('maxRegexWork') as string }),
    ]);
  });

  it('hang guard: the worst accepted pattern on the longest input it may read settles', { timeout: 60_000 }, () => {
    // The largest input the default budget lets the issue's pattern read; RE2 runs
    // its slow path on it. A generous bounded wait, not a speed assertion.
    const regex = compileRegex(NESTED, '', DEFAULT_LIMITS);
    const longest = Math.floor(DEFAULT_LIMITS.maxRegexWork / estimateProgramSize(NESTED, ''));
    expect(regex.test('a'.repeat(longest))).toBe(false);
    expect(() => regex.test('a'.repeat(longest + 1))).toThrow(TierguardError);
  });
});
