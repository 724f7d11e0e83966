import { describe, expect, it } from 'vitest';
import { applyBlockOn } from '../../../src/enforcement/block-on.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { EngineAdapter, EngineVerdict, FindingLevel, PolicyDefinition, Violation } from '../../../src/index.js';
import { INLINE_SOURCE } from './support.js';

/** One finding as an adapter reports it: below error level it is a `warn` finding, as every built-in adapter makes it. */
const finding = (constraint: string, severity: Violation['severity'], effect: Violation['effect']): Violation => ({
  policyId: 'p',
  tier: 'engine',
  constraint,
  path: [],
  message: `${constraint} found`,
  effect,
  severity,
});

/** An error-, a warning- and a note-level finding of a `deny` policy, as a SARIF adapter reports them. */
const FINDINGS: readonly Violation[] = [
  finding('at-error', 'violation', 'deny'),
  finding('at-warning', 'warning', 'warn'),
  finding('at-note', 'info', 'warn'),
];

/** An adapter that answers a hand-made verdict, whatever it is asked; its blocking findings take the binding's effect, as adapters do. */
const answering = (violations: readonly Violation[]): EngineAdapter => ({
  name: 'handmade',
  available: () => Promise.resolve({ ok: true }),
  evaluate: (_artifact, binding): Promise<EngineVerdict> =>
    Promise.resolve({
      verdict: 'fail',
      engine: 'handmade',
      policy: binding.policy,
      violations: violations.map((v) => (v.effect === 'warn' ? v : { ...v, effect: binding.effect ?? 'deny' })),
      durationMs: 1,
    }),
});

const policy = (extra: Partial<PolicyDefinition> = {}, blockOn?: FindingLevel, options?: Record<string, string>): PolicyDefinition => ({
  id: 'p',
  ...extra,
  enforcement: [
    {
      engine: 'handmade',
      policy: '../engine-policies/s3.rego',
      ...(blockOn === undefined ? {} : { blockOn }),
      ...(options === undefined ? {} : { options }),
    },
  ],
});

async function validate(definition: PolicyDefinition, violations: readonly Violation[] = FINDINGS) {
  const engine = await createEngine({ policies: [definition], sources: [INLINE_SOURCE], adapters: [answering(violations)] });
  return engine.validate({ content: {} });
}

const constraints = (list: readonly Violation[]): string[] => list.map((v) => `${v.constraint}:${v.effect}:${v.severity}`);

describe('blockOn: which finding levels block', () => {
  it('by default blocks only error-level findings, exactly as without blockOn', async () => {
    for (const definition of [policy(), policy({}, 'error')]) {
      const decision = await validate(definition);
      expect(decision).toMatchObject({ result: 'fail', verdict: 'deny' });
      expect(constraints(decision.violations)).toEqual(['at-error:deny:violation']);
      expect(constraints(decision.warnings)).toEqual(['at-warning:warn:warning', 'at-note:warn:info']);
    }
  });

  it('blocks warning-level findings with blockOn warning, leaving notes as information', async () => {
    const decision = await validate(policy({}, 'warning'));
    expect(constraints(decision.violations)).toEqual(['at-error:deny:violation', 'at-warning:deny:violation']);
    expect(constraints(decision.warnings)).toEqual(['at-note:warn:info']);
    // The engine verdict carries the same findings as the decision does.
    expect(constraints(decision.engines[0]?.violations ?? [])).toEqual([
      'at-error:deny:violation',
      'at-warning:deny:violation',
      'at-note:warn:info',
    ]);
  });

  it('blocks every finding with blockOn note', async () => {
    const decision = await validate(policy({}, 'note'));
    expect(constraints(decision.violations)).toEqual(['at-error:deny:violation', 'at-warning:deny:violation', 'at-note:deny:violation']);
    expect(decision.warnings).toEqual([]);
  });

  it("gives blocking findings the policy's effect: escalate escalates, monitor would deny", async () => {
    const escalating = await validate(policy({ effect: 'escalate' }, 'warning'));
    expect(escalating.verdict).toBe('escalate');
    expect(constraints(escalating.violations)).toEqual(['at-error:escalate:violation', 'at-warning:escalate:violation']);
    const monitored = await validate(policy({ mode: 'monitor' }, 'note'));
    expect(monitored).toMatchObject({ verdict: 'allow', outcome: 'would_deny' });
    expect(monitored.wouldDeny).toHaveLength(3);
  });

  it('never makes a warn policy block', async () => {
    const warnFindings = FINDINGS.map((v) => ({
      ...v,
      effect: 'warn' as const,
      severity: v.severity === 'violation' ? ('warning' as const) : v.severity,
    }));
    const decision = await validate(policy({ effect: 'warn' }, 'note'), warnFindings);
    expect(decision.verdict).toBe('allow');
    expect(decision.violations).toEqual([]);
    expect(decision.warnings).toHaveLength(3);
  });

  it('never demotes: a finding the adapter made blocking keeps blocking at any blockOn', () => {
    const blocking = finding('x', 'warning', 'deny');
    expect(applyBlockOn(blocking, 'error', 'deny')).toBe(blocking);
    const note = finding('n', 'info', 'warn');
    expect(applyBlockOn(note, 'warning', 'deny')).toBe(note);
    expect(applyBlockOn(note, 'note', 'escalate')).toEqual({ ...note, effect: 'escalate', severity: 'violation' });
  });

  it('rejects a blockOn that is no level, naming the policy and the pointer', async () => {
    const bad = { id: 'p', enforcement: [{ engine: 'handmade', policy: '../engine-policies/s3.rego', blockOn: 'warn' }] };
    const error: unknown = await createEngine({
      policies: [bad as unknown as PolicyDefinition],
      sources: [INLINE_SOURCE],
      adapters: [answering([])],
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TierguardError);
    expect((error as TierguardError).code).toBe('INVALID_POLICY');
    expect((error as TierguardError).message).toContain('policy "p" /enforcement/0/blockOn: must be one of error, warning, note');
  });

  it('rejects a blockOn below the binding’s minLevel, which could never apply', async () => {
    const error: unknown = await createEngine({
      policies: [policy({}, 'note', { minLevel: 'warning' })],
      sources: [INLINE_SOURCE],
      adapters: [answering([])],
    }).catch((thrown: unknown) => thrown);
    expect((error as TierguardError).code).toBe('INVALID_POLICY');
    expect((error as TierguardError).message).toContain(
      'policy "p" /enforcement/0/blockOn: "note" is below the binding\'s minLevel "warning", which drops those findings',
    );
    // At or above minLevel is fine, and a minLevel that is no level is left to the adapter to reject.
    for (const [blockOn, minLevel] of [
      ['warning', 'warning'],
      ['error', 'note'],
      ['note', 'fatal'],
    ] as const) {
      await expect(
        createEngine({ policies: [policy({}, blockOn, { minLevel })], sources: [INLINE_SOURCE], adapters: [answering([])] }),
      ).resolves.toBeDefined();
    }
  });
});
