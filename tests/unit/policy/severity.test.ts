import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, isTierguardError } from '../../../src/index.js';
import type { Action, PolicyDefinition } from '../../../src/index.js';
import { loadPolicies } from '../../../src/bundle/load-policies.js';
import { effectOf, severityOf } from '../../../src/policy/policy-effect.js';
import { loadPolicyFixtures } from '../../../src/policy-tests/load-policy-fixtures.js';

/** README "Guidance for agents": how `severity` composes with `effect` and `mode`. */

const TOO_MUCH = { field: 'arguments.amount', op: 'lte', value: 100 } as const;
const ACTION: Action = { tool: 'pay', arguments: { amount: 500 } };

async function decide(policy: Omit<PolicyDefinition, 'id'>, mode?: 'monitor') {
  const engine = await createEngine({ policies: [{ id: 'p', tools: ['pay'], ...policy }], ...(mode ? { mode } : {}) });
  return engine.evaluate(ACTION);
}

async function issuesOf(policies: readonly Record<string, unknown>[]): Promise<{ policy: string; pointer: string; message: string }[]> {
  const error = await createEngine({ policies: policies as unknown as PolicyDefinition[] }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isTierguardError(error, 'INVALID_POLICY')) throw new Error(`expected INVALID_POLICY, got ${String(error)}`);
  return (error.details.issues ?? []).map(({ pointer, message }) => ({ policy: String(error.details.policy), pointer, message }));
}

describe('severity and effect', () => {
  it.each([
    [{}, 'deny', 'hard'],
    [{ effect: 'escalate' }, 'escalate', 'hard'],
    [{ effect: 'warn' }, 'warn', 'soft'],
    [{ severity: 'hard' }, 'deny', 'hard'],
    [{ severity: 'hard', effect: 'escalate' }, 'escalate', 'hard'],
    [{ severity: 'soft' }, 'warn', 'soft'],
    [{ severity: 'soft', effect: 'warn' }, 'warn', 'soft'],
    [{ severity: 'advisory' }, 'warn', 'advisory'],
  ] as const)('%j has effect %s and severity %s', (fields, effect, severity) => {
    const definition: PolicyDefinition = { id: 'p', ...fields };
    expect(effectOf(definition)).toBe(effect);
    expect(severityOf(definition)).toBe(severity);
  });

  it('a hard policy blocks', async () => {
    expect((await decide({ severity: 'hard', assert: TOO_MUCH })).verdict).toBe('deny');
    expect((await decide({ severity: 'hard', effect: 'escalate', assert: TOO_MUCH })).verdict).toBe('escalate');
  });

  it('a soft policy without an effect warns and never blocks', async () => {
    const decision = await decide({ severity: 'soft', assert: TOO_MUCH });
    expect(decision.verdict).toBe('allow');
    expect(decision.violations).toEqual([]);
    expect(decision.warnings.map((warning) => [warning.policyId, warning.effect, warning.severity])).toEqual([['p', 'warn', 'warning']]);
  });

  it('a monitored hard policy reports what it would do and does not block', async () => {
    const decision = await decide({ severity: 'hard', mode: 'monitor', assert: TOO_MUCH });
    expect([decision.verdict, decision.outcome, decision.wouldDeny.length]).toEqual(['allow', 'would_deny', 1]);
    const engineWide = await decide({ severity: 'hard', effect: 'escalate', assert: TOO_MUCH }, 'monitor');
    expect([engineWide.verdict, engineWide.outcome, engineWide.wouldEscalate.length]).toEqual(['allow', 'would_escalate', 1]);
  });

  it.each([
    [{ severity: 'hard', effect: 'warn' }, /a hard policy blocks/],
    [{ severity: 'soft', effect: 'deny' }, /a soft policy never blocks/],
    [{ severity: 'soft', effect: 'escalate' }, /a soft policy never blocks/],
  ])('refuses %j at /effect', async (fields, says) => {
    const issues = await issuesOf([{ id: 'p', assert: TOO_MUCH, ...fields }]);
    expect(issues).toEqual([expect.objectContaining({ pointer: '/effect', message: expect.stringMatching(says) as unknown })]);
  });
});

describe('advisory policies', () => {
  it('are never evaluated, so never violated whenever they apply', async () => {
    const engine = await createEngine({
      policies: [{ id: 'guide', severity: 'advisory', tools: ['pay'], guidance: { do: ['Pay from the EUR account'] } }],
    });
    const decision = await engine.evaluate(ACTION);
    expect([decision.verdict, decision.violations, decision.warnings, decision.errors]).toEqual(['allow', [], [], []]);
    expect(engine.evaluateAuto(ACTION).verdict).toBe('allow');
    expect((await engine.evaluateResponse(ACTION, { content: [] })).verdict).toBe('allow');
    expect(engine.policyIds).toEqual(['guide']);
  });

  it('bind no engine for the artifacts they select', async () => {
    const engine = await createEngine({ policies: [{ id: 'guide', severity: 'advisory', artifacts: ['*.tf'] }] });
    // It binds no engine, so the set has nothing to validate with, as if it were not there.
    await expect(engine.validate({ content: 'resource "x" "y" {}', name: 'main.tf' })).rejects.toThrow(
      /no policy binds an enforcement engine/,
    );
  });

  it.each(['effect', 'mode', 'when', 'require', 'assert', 'shape', 'shapesFile', 'rewrite', 'enforcement', 'message', 'priority', 'on'])(
    'may not have %s',
    async (key) => {
      const values: Record<string, unknown> = {
        effect: 'warn',
        mode: 'monitor',
        when: TOO_MUCH,
        require: ['arguments.amount'],
        assert: TOO_MUCH,
        shape: { properties: [{ path: 'arguments.amount', minCount: 1 }] },
        shapesFile: 'shapes.ttl',
        rewrite: [{ op: 'remove_field', field: 'arguments.note' }],
        enforcement: [{ engine: 'opa', policy: 'p.rego', query: 'data.p.deny' }],
        message: 'no',
        priority: 1,
        on: 'request',
      };
      const issues = await issuesOf([{ id: 'guide', severity: 'advisory', [key]: values[key] }]);
      expect(issues).toEqual([
        expect.objectContaining({
          policy: 'policy "guide"',
          pointer: `/${key}`,
          message: expect.stringContaining('advisory policy is guidance only') as unknown,
        }),
      ]);
    },
  );
});

describe('deprecated and successor', () => {
  it('a deprecated policy is still enforced', async () => {
    expect((await decide({ deprecated: true, assert: TOO_MUCH })).verdict).toBe('deny');
  });

  it('accepts a successor that is in the set', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'old', deprecated: true, successor: 'new', assert: TOO_MUCH },
        { id: 'new', assert: TOO_MUCH },
      ],
    });
    expect(engine.definitions.map((definition) => definition.successor)).toEqual(['new', undefined]);
  });

  it.each([
    [{ successor: 'new' }, /only a deprecated policy has a successor/],
    [{ deprecated: true, successor: 'old' }, /cannot succeed itself/],
    [{ deprecated: true, successor: 'nwe' }, /names no policy in the set \("nwe"\)/],
  ])('refuses %j at /successor', async (fields, says) => {
    const issues = await issuesOf([
      { id: 'old', assert: TOO_MUCH, ...fields },
      { id: 'new', assert: TOO_MUCH },
    ]);
    expect(issues).toEqual([
      expect.objectContaining({ policy: 'policy "old"', pointer: '/successor', message: expect.stringMatching(says) as unknown }),
    ]);
  });
});

describe('files', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('a namespaced source names its successors in its own namespace', async () => {
    root = mkdtempSync(join(tmpdir(), 'tierguard-severity-'));
    const folder = join(root, 'payments');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'p.json'),
      JSON.stringify([
        { id: 'old', deprecated: true, successor: 'new', assert: TOO_MUCH },
        { id: 'new', assert: TOO_MUCH },
      ]),
    );
    const loaded = await loadPolicies([folder]);
    expect(loaded.definitions.map(({ id, successor }) => [id, successor])).toEqual([
      ['payments/old', 'payments/new'],
      ['payments/new', undefined],
    ]);
    await expect(createEngine({ policies: loaded.definitions })).resolves.toBeDefined();
  });

  it('an advisory policy takes no fixtures', async () => {
    root = mkdtempSync(join(tmpdir(), 'tierguard-severity-'));
    mkdirSync(join(root, 'fixtures', 'guide', 'allow'), { recursive: true });
    writeFileSync(join(root, 'fixtures', 'guide', 'allow', 'a.json'), JSON.stringify(ACTION));
    const definitions: PolicyDefinition[] = [{ id: 'guide', severity: 'advisory', tools: ['pay'] }];
    await expect(loadPolicyFixtures(root, definitions)).rejects.toThrow(
      /"guide" is advisory: it is never evaluated, so it takes no fixtures/,
    );
  });
});
