import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, DEFAULT_LIMITS, isTierguardError, loadPolicies } from '../../src/index.js';
import type { Action, Decision, Limits, PolicyDefinition, TierguardError } from '../../src/index.js';
import { thrownBy } from '../support/thrown-by.js';

/**
 * Every limit in `DEFAULT_LIMITS`, tested at its edge: the largest input the
 * limit admits is evaluated, one more is refused with the documented code.
 *
 * Depth counts containers: the action object itself is level 1, so
 * `{ tool, arguments: {} }` is nested 2 deep. Nodes count every value, the
 * action object included: `{ tool: 't' }` holds 2.
 */

const EXISTS: PolicyDefinition = { id: 'limits.exists', assert: { field: 'tool', op: 'exists' } };

/**
 * An action with `levels` containers in all: the action object, then `arguments`
 * and its descendants, `{ a: { a: {} } }` or, with `arrays`, `[[[]]]`.
 */
function nestedAction(levels: number, arrays = false): Action {
  if (levels === 1) return { tool: 't' };
  let inner: unknown = arrays ? [] : {};
  for (let level = 3; level <= levels; level += 1) inner = arrays ? [inner] : { a: inner };
  return { tool: 't', arguments: inner as Record<string, unknown> };
}

/** The JSON pointer of the first container past `maxDepth` in a {@link nestedAction}. */
function pointerAt(maxDepth: number, arrays = false): string {
  return ['', 'arguments', ...Array.from({ length: maxDepth - 1 }, () => (arrays ? '0' : 'a'))].join('/');
}

function containerDepth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, containerDepth(child));
  return deepest + 1;
}

function nodeCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  let count = 1;
  for (const child of Object.values(value)) count += nodeCount(child);
  return count;
}

function expectClean(decision: Decision): void {
  expect(decision.errors).toEqual([]);
  expect(decision.verdict).toBe('allow');
}

function expectRefused(decision: Decision, message: RegExp | string): void {
  expect(decision.verdict).toBe('deny');
  expect(decision.violations).toEqual([]);
  expect(decision.errors).toHaveLength(1);
  expect(decision.errors[0]?.code).toBe('LIMIT_EXCEEDED');
  expect(decision.errors[0]?.policyId).toBeUndefined();
  if (typeof message === 'string') expect(decision.errors[0]?.message).toBe(message);
  else expect(decision.errors[0]?.message).toMatch(message);
}

describe('DEFAULT_LIMITS', () => {
  it('holds the documented values', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxDepth: 64,
      maxNodes: 100_000,
      maxStringLength: 1_048_576,
      maxPatternLength: 8_192,
      maxRegexProgramSize: 16_384,
      maxRegexWork: 67_108_864,
      maxGlobWildcards: 256,
      maxFileBytes: 16 * 1_048_576,
    });
  });

  it('is frozen: assignment throws and nothing changes', () => {
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    expect(() => {
      (DEFAULT_LIMITS as { maxDepth: number }).maxDepth = 1_000_000;
    }).toThrow(TypeError);
    expect(() => {
      (DEFAULT_LIMITS as unknown as Record<string, number>).extra = 1;
    }).toThrow(TypeError);
    expect(DEFAULT_LIMITS.maxDepth).toBe(64);
  });

  it('is what an engine uses when no limits are given', async () => {
    const engine = await createEngine({ policies: [] });
    expect(engine.limits).toEqual(DEFAULT_LIMITS);
    expect(Object.isFrozen(engine.limits)).toBe(true);
  });
});

describe('overriding limits', () => {
  const names = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

  it('overriding any subset keeps every other limit at its default', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            maxDepth: fc.integer({ min: 1, max: 1000 }),
            maxNodes: fc.integer({ min: 1, max: 1_000_000 }),
            maxStringLength: fc.integer({ min: 1, max: 10_000_000 }),
            maxPatternLength: fc.integer({ min: 1, max: 100_000 }),
            maxFileBytes: fc.integer({ min: 1, max: 1_000_000_000 }),
          },
          { requiredKeys: [] },
        ),
        async (overrides) => {
          const engine = await createEngine({ policies: [], limits: overrides });
          expect(engine.limits).toEqual({ ...DEFAULT_LIMITS, ...overrides });
          expect(Object.isFrozen(engine.limits)).toBe(true);
          expect(DEFAULT_LIMITS.maxDepth).toBe(64);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each(names)('overriding only %s keeps the others', async (name) => {
    const engine = await createEngine({ policies: [], limits: { [name]: 7 } });
    for (const other of names) expect(engine.limits[other]).toBe(other === name ? 7 : DEFAULT_LIMITS[other]);
  });

  it.each([
    [{ maxDepht: 3 }, 'unknown limit "maxDepht"'],
    [{ maxDepth: 0 }, 'limits.maxDepth must be a positive integer'],
    [{ maxNodes: -1 }, 'limits.maxNodes must be a positive integer'],
    [{ maxStringLength: 1.5 }, 'limits.maxStringLength must be a positive integer'],
    [{ maxPatternLength: '8' }, 'limits.maxPatternLength must be a positive integer'],
    [{ maxFileBytes: Number.POSITIVE_INFINITY }, 'limits.maxFileBytes must be a positive integer'],
  ])('rejects %j with INVALID_OPTIONS', async (limits, message) => {
    const error = await createEngine({ policies: [], limits: limits as Partial<Limits> }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'INVALID_OPTIONS')).toBe(true);
    expect((error as TierguardError).message).toContain(message);
  });
});

describe('maxDepth', () => {
  it('builds the nesting it claims to', () => {
    for (const levels of [1, 2, 3, 10, 64, 65]) {
      expect(containerDepth(nestedAction(levels))).toBe(levels);
      expect(containerDepth(nestedAction(levels, true))).toBe(levels);
    }
  });

  it.each([false, true])('default: an action nested exactly 64 deep passes, 65 is LIMIT_EXCEEDED (arrays: %s)', async (arrays) => {
    const engine = await createEngine({ policies: [EXISTS] });
    expectClean(engine.evaluateAuto(nestedAction(DEFAULT_LIMITS.maxDepth, arrays)));
    expectRefused(
      engine.evaluateAuto(nestedAction(DEFAULT_LIMITS.maxDepth + 1, arrays)),
      `action is nested deeper than limits.maxDepth (64) at ${pointerAt(64, arrays)}`,
    );
  });

  it('a policy can read the deepest value an admitted action holds', async () => {
    const segments = ['arguments', ...Array.from({ length: DEFAULT_LIMITS.maxDepth - 2 }, () => 'a')];
    const engine = await createEngine({
      policies: [{ id: 'deepest', assert: { field: segments.join('.'), op: 'eq', value: {} } }],
    });
    expectClean(engine.evaluateAuto(nestedAction(DEFAULT_LIMITS.maxDepth)));
  });

  it('custom maxDepth 3: 3 levels pass, 4 are refused with the pointer of the deepest container', async () => {
    const engine = await createEngine({ policies: [EXISTS], limits: { maxDepth: 3 } });
    expectClean(engine.evaluateAuto({ tool: 't', arguments: { a: { b: 1 } } }));
    expectRefused(
      engine.evaluateAuto({ tool: 't', arguments: { a: { b: {} } } }),
      'action is nested deeper than limits.maxDepth (3) at /arguments/a/b',
    );
    expectRefused(
      engine.evaluateAuto({ tool: 't', arguments: [[[]]] as unknown as Record<string, unknown> }),
      'action is nested deeper than limits.maxDepth (3) at /arguments/0/0',
    );
  });

  it('custom maxDepth 1: only the action object itself', async () => {
    // No predicate fits in one level of a policy definition, so the set is empty.
    const engine = await createEngine({ policies: [], limits: { maxDepth: 1 } });
    expectClean(engine.evaluateAuto({ tool: 't', n: 1, s: 'x' }));
    expectRefused(engine.evaluateAuto({ tool: 't', arguments: {} }), 'action is nested deeper than limits.maxDepth (1) at /arguments');
  });

  it('for any maxDepth and nesting, the action is refused exactly when it is nested deeper', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 1, max: 90 }), fc.boolean(), async (maxDepth, levels, arrays) => {
        const engine = await createEngine({ policies: [EXISTS], limits: { maxDepth } });
        const decision = engine.evaluateAuto(nestedAction(levels, arrays));
        if (levels <= maxDepth) expectClean(decision);
        else expectRefused(decision, `action is nested deeper than limits.maxDepth (${maxDepth}) at ${pointerAt(maxDepth, arrays)}`);
      }),
      { numRuns: 150 },
    );
  });

  it("with onError 'throw' the refusal is a TierguardError naming the limit", async () => {
    const engine = await createEngine({ policies: [EXISTS], limits: { maxDepth: 2 }, onError: 'throw' });
    const error = thrownBy(() => engine.evaluateAuto({ tool: 't', arguments: { a: {} } }));
    expect(isTierguardError(error, 'LIMIT_EXCEEDED')).toBe(true);
    expect((error as TierguardError).details).toEqual({ limit: 'maxDepth', pointer: '/arguments/a' });
  });

  it('bounds policy definitions too: nested exactly to maxDepth compiles, one deeper is INVALID_POLICY', async () => {
    const policy = (nots: number): PolicyDefinition => {
      let predicate: object = { field: 'tool', op: 'exists' };
      for (let index = 0; index < nots; index += 1) predicate = { not: predicate };
      return { id: 'deep', assert: predicate } as PolicyDefinition;
    };
    // definition (1) > assert (2) > not ... : with one `not`, 3 levels.
    await expect(createEngine({ policies: [policy(1)], limits: { maxDepth: 3 } })).resolves.toBeDefined();
    const error = await createEngine({ policies: [policy(2)], limits: { maxDepth: 3 } }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
    expect((error as TierguardError).message).toBe('policy "deep" /assert/not/not: nested deeper than limits.maxDepth (3)');
  });
});

describe('maxNodes', () => {
  /** `{ tool, arguments: [0, 0, ...] }`: 3 + `elements` values. */
  const wide = (elements: number): Action => ({
    tool: 't',
    arguments: new Array<number>(elements).fill(0) as unknown as Record<string, unknown>,
  });

  it('counts the values it claims to', () => {
    expect(nodeCount({ tool: 't' })).toBe(2);
    expect(nodeCount(wide(10))).toBe(13);
  });

  it('default: exactly 100,000 values pass, 100,001 are LIMIT_EXCEEDED', async () => {
    const engine = await createEngine({ policies: [EXISTS] });
    expectClean(engine.evaluateAuto(wide(DEFAULT_LIMITS.maxNodes - 3)));
    expectRefused(engine.evaluateAuto(wide(DEFAULT_LIMITS.maxNodes - 2)), 'action holds more than limits.maxNodes (100000) values');
  });

  it('custom maxNodes 2: { tool } passes, one more value is refused', async () => {
    const engine = await createEngine({ policies: [EXISTS], limits: { maxNodes: 2 } });
    expectClean(engine.evaluateAuto({ tool: 't' }));
    expectRefused(engine.evaluateAuto({ tool: 't', n: null }), 'action holds more than limits.maxNodes (2) values');
    expectRefused(engine.evaluateAuto({ tool: 't', arguments: {} }), 'action holds more than limits.maxNodes (2) values');
  });

  it('for any action and maxNodes, the action is refused exactly when it holds more values', async () => {
    const json = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        fc.integer(),
        fc.string({ maxLength: 3 }),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ maxLength: 4 }).filter((key) => key !== 'tool'),
          json,
          { maxKeys: 5 },
        ),
        fc.integer({ min: 1, max: 60 }),
        async (rest, maxNodes) => {
          const action = JSON.parse(JSON.stringify({ ...rest, tool: 't' })) as Action;
          const engine = await createEngine({ policies: [EXISTS], limits: { maxNodes } });
          const decision = engine.evaluateAuto(action);
          if (nodeCount(action) <= maxNodes) expectClean(decision);
          else expectRefused(decision, `action holds more than limits.maxNodes (${maxNodes}) values`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('maxStringLength', () => {
  const patterns = [
    ['regex', { field: 'arguments.s', op: 'regex', value: '^a*$' }],
    ['glob', { field: 'arguments.s', op: 'glob', value: '*' }],
  ] as const;

  describe.each(patterns)('%s', (operator, predicate) => {
    it('default: a string of exactly 1,048,576 characters is read, one more is LIMIT_EXCEEDED', async () => {
      const engine = await createEngine({ policies: [{ id: 'long', assert: predicate }] });
      const max = DEFAULT_LIMITS.maxStringLength;
      expectClean(engine.evaluateAuto({ tool: 't', arguments: { s: 'a'.repeat(max) } }));
      const decision = engine.evaluateAuto({ tool: 't', arguments: { s: 'a'.repeat(max + 1) } });
      expect(decision.verdict).toBe('deny');
      expect(decision.violations).toEqual([]);
      expect(decision.errors).toEqual([
        {
          code: 'LIMIT_EXCEEDED',
          policyId: 'long',
          message: `policy "long": ${operator} input of 1048577 characters exceeds limits.maxStringLength (1048576)`,
        },
      ]);
    });

    it('custom maxStringLength 5: at the limit the operator decides, over it is an error even under not', async () => {
      const engine = await createEngine({
        policies: [
          { id: 'plain', assert: predicate },
          { id: 'negated', assert: { not: predicate } },
        ],
        limits: { maxStringLength: 5 },
      });
      const atLimit = engine.evaluateAuto({ tool: 't', arguments: { s: 'aaaaa' } });
      expect(atLimit.errors).toEqual([]);
      expect(atLimit.violations.map((violation) => violation.policyId)).toEqual(['negated']);
      const over = engine.evaluateAuto({ tool: 't', arguments: { s: 'aaaaaa' } });
      expect(over.verdict).toBe('deny');
      expect(over.violations).toEqual([]);
      expect(over.errors.map((error) => [error.policyId, error.code])).toEqual([
        ['plain', 'LIMIT_EXCEEDED'],
        ['negated', 'LIMIT_EXCEEDED'],
      ]);
    });

    it('for any length and limit, an error exactly when the string is longer', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 80 }), async (maxStringLength, length) => {
          const engine = await createEngine({ policies: [{ id: 'p', assert: { not: predicate } }], limits: { maxStringLength } });
          const decision = engine.evaluateAuto({ tool: 't', arguments: { s: 'a'.repeat(length) } });
          if (length <= maxStringLength) {
            expect(decision.errors).toEqual([]);
            expect(decision.verdict).toBe('deny');
            expect(decision.violations.map((violation) => violation.constraint)).toEqual(['not']);
          } else {
            expect(decision.errors.map((error) => error.code)).toEqual(['LIMIT_EXCEEDED']);
          }
        }),
        { numRuns: 100 },
      );
    });
  });

  it('does not bound strings that no pattern reads', async () => {
    const engine = await createEngine({
      policies: [{ id: 'eq', assert: { field: 'arguments.s', op: 'in', value: ['x'.repeat(20)] } }],
      limits: { maxStringLength: 5 },
    });
    expectClean(engine.evaluateAuto({ tool: 't', arguments: { s: 'x'.repeat(20) } }));
  });
});

describe('maxPatternLength', () => {
  const cases: readonly (readonly [string, (pattern: string) => PolicyDefinition, string, string])[] = [
    ['regex value', (pattern) => ({ id: 'p', assert: { field: 'a', op: 'regex', value: pattern } }), '/assert/value', 'value must be '],
    ['glob value', (pattern) => ({ id: 'p', assert: { field: 'a', op: 'glob', value: pattern } }), '/assert/value', 'value must be '],
    ['tools glob', (pattern) => ({ id: 'p', tools: ['x', `${pattern.slice(1)}*`] }), '/tools/1', 'must be '],
    ['tools name', (pattern) => ({ id: 'p', tools: [pattern] }), '/tools/0', 'must be '],
  ];

  describe.each(cases)('%s', (_name, policyWith, pointer, prefix) => {
    it.each([
      ['default', DEFAULT_LIMITS.maxPatternLength, {}],
      ['custom 8', 8, { maxPatternLength: 8 }],
    ] as const)('%s: a pattern of exactly the limit compiles, one more character is INVALID_POLICY', async (_label, max, limits) => {
      await expect(createEngine({ policies: [policyWith('a'.repeat(max))], limits })).resolves.toBeDefined();
      const error = await createEngine({ policies: [policyWith('a'.repeat(max + 1))], limits }).catch((caught: unknown) => caught);
      expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
      const message = (error as TierguardError).message;
      expect(message.startsWith(`policy "p" ${pointer}: ${prefix}a pattern of at most ${max} characters`)).toBe(true);
    });
  });
});

describe('maxFileBytes', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const bin = join(root, 'dist', 'cli', 'bin.js');
  const max = DEFAULT_LIMITS.maxFileBytes;
  let directory = '';

  /** A JSON file of exactly `bytes` bytes: `json` padded with trailing spaces. */
  const padded = (name: string, json: string, bytes: number): string => {
    const file = join(directory, name);
    writeFileSync(file, json + ' '.repeat(bytes - Buffer.byteLength(json)));
    return file;
  };

  const cli = (args: readonly string[], input?: string) =>
    spawnSync(process.execPath, [bin, 'check', ...args], { encoding: 'utf8', input, maxBuffer: 64 * 1_048_576 });

  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` before these tests`);
    directory = mkdtempSync(join(tmpdir(), 'tierguard-limits-'));
  });

  afterAll(() => {
    if (directory !== '') rmSync(directory, { recursive: true, force: true });
  });

  it('loadPolicies reads a file of exactly maxFileBytes and refuses one byte more with IO_ERROR', async () => {
    const json = JSON.stringify({ id: 'sized', tools: ['a'] });
    const atLimit = padded('at.json', json, 100);
    await expect(loadPolicies(atLimit, { maxFileBytes: 100 })).resolves.toMatchObject({ definitions: [{ id: 'sized' }] });
    const over = padded('over.json', json, 101);
    const error = await loadPolicies(over, { maxFileBytes: 100 }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'IO_ERROR')).toBe(true);
    expect((error as TierguardError).message).toBe(`${over}: 101 bytes exceeds limits.maxFileBytes (100)`);
  });

  it('CLI: a policy file of exactly 16 MiB loads; one byte more exits 2 naming the file and the limit', () => {
    const action = padded('action.json', '{"tool":"a"}', 12);
    const json = JSON.stringify({ id: 'big', tools: ['a'] });
    const atLimit = cli(['--policies', padded('policy-at.json', json, max), '--action', action]);
    expect(atLimit.stderr).toBe('');
    expect(atLimit.status).toBe(1);
    expect(atLimit.stdout).toMatch(/^deny {2}a {2}\(policies sha256:[0-9a-f]{12}\)\n {2}x big {2}tool {2}big forbids a\n$/);
    const overFile = padded('policy-over.json', json, max + 1);
    const over = cli(['--policies', overFile, '--action', action]);
    expect(over.status).toBe(2);
    expect(over.stdout).toBe('');
    expect(over.stderr).toBe(`tierguard: IO_ERROR: ${overFile}: ${max + 1} bytes exceeds limits.maxFileBytes (${max})\n`);
  });

  it('CLI: an action file of exactly 16 MiB is evaluated; one byte more exits 2', () => {
    const policies = padded('policies.json', JSON.stringify({ id: 'any', tools: ['nothing'] }), 40);
    const atLimit = cli(['--policies', policies, '--action', padded('action-at.json', '{"tool":"a"}', max)]);
    expect(atLimit.stderr).toBe('');
    expect(atLimit.status).toBe(0);
    const overFile = padded('action-over.json', '{"tool":"a"}', max + 1);
    const over = cli(['--policies', policies, '--action', overFile]);
    expect(over.status).toBe(2);
    expect(over.stderr).toBe(`tierguard: IO_ERROR: ${overFile}: ${max + 1} bytes exceeds limits.maxFileBytes (${max})\n`);
  });

  it('CLI: standard input of exactly 16 MiB is evaluated; one byte more exits 2', () => {
    const policies = padded('policies-stdin.json', JSON.stringify({ id: 'any', tools: ['nothing'] }), 40);
    const json = '{"tool":"a"}';
    const atLimit = cli(['--policies', policies, '--action', '-'], json + ' '.repeat(max - json.length));
    expect(atLimit.stderr).toBe('');
    expect(atLimit.status).toBe(0);
    const over = cli(['--policies', policies, '--action', '-'], json + ' '.repeat(max + 1 - json.length));
    expect(over.status).toBe(2);
    expect(over.stderr).toBe(`tierguard: IO_ERROR: standard input exceeds limits.maxFileBytes (${max})\n`);
  });
});
