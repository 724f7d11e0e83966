import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { Action, Decision } from '../../../src/index.js';
import { atX, decideShape } from './support.js';

/** `^(a+)+$` backtracks exponentially on this in a V8 RegExp; RE2 answers in linear time. */
const EVIL = '^(a+)+$';
const VICTIM = `${'a'.repeat(100_000)}!`;
const ACTION: Action = { tool: 't', kind: 'tools/call', arguments: { x: VICTIM } };

async function timed(label: string, run: () => Promise<Decision>): Promise<Decision> {
  const started = performance.now();
  const decision = await run();
  console.log(`${label}: ${(performance.now() - started).toFixed(1)} ms`);
  return decision;
}

describe('ReDoS: ^(a+)+$ on a 100,000-character value finishes in both tiers', () => {
  it('auto tier `regex` operator denies', async () => {
    const engine = await createEngine({
      policies: [{ id: 'auto', tools: ['t'], assert: { field: 'arguments.x', op: 'regex', value: EVIL } }],
    });
    const decision = await timed('auto regex', () => engine.evaluate(ACTION));
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toEqual([]);
    expect(decision.violations).toEqual([
      expect.objectContaining({ policyId: 'auto', tier: 'auto', constraint: 'regex', path: ['arguments', 'x'] }),
    ]);
  });

  it('formal tier `pattern` denies', async () => {
    const engine = await createEngine({ policies: [{ id: 'p', tools: ['t'], shape: atX({ pattern: EVIL }) }] });
    const decision = await timed('formal pattern', () => engine.evaluate(ACTION));
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toEqual([]);
    expect(decision.violations).toEqual([
      expect.objectContaining({
        policyId: 'p',
        tier: 'formal',
        constraint: 'sh:PatternConstraintComponent',
        path: ['arguments', 'x'],
        expected: EVIL,
      }),
    ]);
  });

  it('a hand-written sh:pattern in a shapesFile denies too', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tierguard-redos-'));
    try {
      const file = join(directory, 'evil.ttl');
      writeFileSync(
        file,
        `@prefix sh: <http://www.w3.org/ns/shacl#>. @prefix tg: <urn:tierguard:>. @prefix key: <urn:tierguard:key:>.
tg:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path (key:arguments key:x); sh:pattern "^(a+)+$" ].\n`,
      );
      const engine = await createEngine({ policies: [{ id: 'file', tools: ['t'], shapesFile: file }] });
      const decision = await timed('shapesFile pattern', () => engine.evaluate(ACTION));
      expect(decision.verdict).toBe('deny');
      expect(decision.violations).toEqual([
        expect.objectContaining({ tier: 'formal', constraint: 'sh:PatternConstraintComponent', path: ['arguments', 'x'] }),
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('limits in the formal tier', () => {
  const limits = { maxStringLength: 10 };

  it('a string at limits.maxStringLength is matched; one over it is a LIMIT_EXCEEDED error and a deny', async () => {
    const shape = atX({ pattern: '^a+$' });
    expect(await decideShape(shape, { x: 'a'.repeat(10) }, { limits })).toMatchObject({ verdict: 'allow', errors: [] });
    const decision = await decideShape(shape, { x: 'a'.repeat(11) }, { limits });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([]);
    expect(decision.errors).toEqual([
      { code: 'LIMIT_EXCEEDED', message: expect.stringContaining('maxStringLength') as string, policyId: 'p' },
    ]);
  });

  it('follows onError: allow fails open, throw rejects with a TierguardError', async () => {
    const shape = atX({ pattern: '^a+$' });
    const open = await decideShape(shape, { x: 'a'.repeat(11) }, { limits, onError: 'allow' });
    expect(open.verdict).toBe('allow');
    expect(open.errors).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', policyId: 'p' })]);
    const thrown: unknown = await decideShape(shape, { x: 'a'.repeat(11) }, { limits, onError: 'throw' }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(TierguardError);
    expect((thrown as TierguardError).code).toBe('LIMIT_EXCEEDED');
    expect((thrown as TierguardError).details).toMatchObject({ policyId: 'p' });
  });
});
