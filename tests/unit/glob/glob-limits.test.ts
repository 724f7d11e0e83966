import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../src/glob/compile-glob.js';
import { GlobSyntaxError } from '../../../src/glob/glob-to-regex.js';
import { createEngine, isTierguardError } from '../../../src/index.js';
import type { Limits, PolicyDefinition } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';

// The issue's glob: minutes of RE2 NFA against a 1 MB tool name.
const HOSTILE = `${'*a'.repeat(4000)}b`;

async function policyError(policy: PolicyDefinition, limits?: Partial<Limits>): Promise<{ message: string; pointers: string[] }> {
  const error: unknown = await createEngine({ policies: [policy], ...(limits === undefined ? {} : { limits }) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isTierguardError(error, 'INVALID_POLICY')) throw new Error(`expected INVALID_POLICY, got ${String(error)}`);
  return { message: error.message, pointers: (error.details.issues as { pointer: string }[]).map((issue) => issue.pointer) };
}

describe('glob bounds', () => {
  it("rejects the issue's glob as a tool pattern, naming the policy and pointer", async () => {
    const error = await policyError({ id: 'tools', tools: ['ok.*', HOSTILE], assert: { field: 'a', op: 'eq', value: 1 } });
    expect(error.message).toContain('policy "tools"');
    expect(error.message).toContain('maxGlobWildcards');
    expect(error.pointers).toEqual(['/tools/1']);
  });

  it("rejects the issue's glob under the glob operator", async () => {
    const error = await policyError({ id: 'op', tools: ['t'], assert: { field: 'arguments.p', op: 'glob', value: HOSTILE } });
    expect(error.pointers).toEqual(['/assert/value']);
  });

  it('rejects it in engine-binding artifacts globs too', () => {
    expect(() => compileGlob(HOSTILE, DEFAULT_LIMITS)).toThrow(GlobSyntaxError);
  });

  it('counts *, ?, classes, extglobs and brace alternatives: at limits.maxGlobWildcards it compiles, one more is refused', () => {
    const limits = { ...DEFAULT_LIMITS, maxGlobWildcards: 6 };
    expect(() => compileGlob('*a?[bc]@(d|e){f,g}', limits)).not.toThrow();
    for (const extra of ['*', '?', '[x]', '+(x)', '{x,y}']) {
      expect(() => compileGlob(`*a?[bc]@(d|e){f,g}${extra}`, { ...limits, maxGlobWildcards: extra === '{x,y}' ? 7 : 6 })).toThrow(
        /maxGlobWildcards/,
      );
    }
    // `{a}` without a comma is literal braces, not an alternative.
    expect(() => compileGlob('{a}', { ...limits, maxGlobWildcards: 1 })).not.toThrow();
  });

  it('at the default limit: 256 wildcards compile, 257 are refused', () => {
    expect(DEFAULT_LIMITS.maxGlobWildcards).toBe(256);
    expect(() => compileGlob(`${'*a'.repeat(256)}b`, DEFAULT_LIMITS)).not.toThrow();
    expect(() => compileGlob(`${'*a'.repeat(257)}b`, DEFAULT_LIMITS)).toThrow(/more than 256 wildcards/);
  });

  it('bounds the compiled program through the same estimator as regexes', () => {
    const pattern = '[a-z]'.repeat(200);
    expect(() => compileGlob(pattern, DEFAULT_LIMITS)).not.toThrow();
    expect(() => compileGlob(pattern, { ...DEFAULT_LIMITS, maxRegexProgramSize: 100 })).toThrow(/maxRegexProgramSize/);
  });

  it('a tool name longer than a tool glob may read within limits.maxRegexWork is LIMIT_EXCEEDED, naming the glob', async () => {
    const glob = `${'*a'.repeat(100)}b`;
    const engine = await createEngine({ policies: [{ id: 'g', tools: [glob], assert: { field: 'x', op: 'eq', value: 1 } }] });
    const decision = await engine.evaluate({ tool: 'a'.repeat(100_000), arguments: {} });
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toMatchObject([{ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/glob "\*a\*a/) as unknown }]);
    const throwing = await createEngine({
      policies: [{ id: 'g', tools: [glob], assert: { field: 'x', op: 'eq', value: 1 } }],
      onError: 'throw',
    });
    await expect(throwing.evaluate({ tool: 'a'.repeat(100_000), arguments: {} })).rejects.toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', details: expect.objectContaining({ limit: 'maxRegexWork' }) as unknown }),
    );
    // A short tool name is matched as before.
    await expect(engine.evaluate({ tool: `${'a'.repeat(100)}b`, arguments: {} })).resolves.toMatchObject({ verdict: 'deny' });
  });

  it('the wildcard bound is overridable through createEngine({ limits })', async () => {
    const policy: PolicyDefinition = { id: 'w', tools: ['*.*.*'], assert: { field: 'a', op: 'eq', value: 1 } };
    expect((await policyError(policy, { maxGlobWildcards: 2 })).pointers).toEqual(['/tools/0']);
    await expect(createEngine({ policies: [policy], limits: { maxGlobWildcards: 3 } })).resolves.toBeDefined();
  });
});

describe('a tool name longer than a tool glob may read', () => {
  // A glob RE2 runs (not the plain prefix*suffix matcher), and a budget a 500-character name exceeds.
  const limits = { maxRegexWork: 2_000 };
  const tool = `pay.a${'x'.repeat(500)}`;
  const action = { tool, arguments: { amount: 1 } };

  it('is an evaluation error and a deny, decided and audited, in both evaluate and evaluateAuto', async () => {
    const events: unknown[] = [];
    const engine = await createEngine({
      policies: [{ id: 'pay.block', tools: ['pay.{a,b}?*'] }],
      limits,
      onDecision: (event) => events.push(event),
    });
    for (const decision of [engine.evaluateAuto(action), await engine.evaluate(action)]) {
      expect(decision.verdict).toBe('deny');
      expect(decision.errors).toMatchObject([{ code: 'LIMIT_EXCEEDED' }]);
    }
    expect(events).toHaveLength(2);
  });

  it('is an error, not a pass, when only a formal policy could select it', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'any.tool', assert: { field: 'arguments.amount', op: 'gte', value: 0 } },
        { id: 'pay.shape', tools: ['pay.{a,b}?*'], shape: { properties: [{ path: 'arguments.amount', maxInclusive: 0 }] } },
      ],
      limits,
    });
    const decision = await engine.evaluate(action);
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toMatchObject([{ code: 'LIMIT_EXCEEDED' }]);
  });
});
