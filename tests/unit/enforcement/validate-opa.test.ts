import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../../src/engines/opa/opa-cli-adapter.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import { tierguardMatchers } from '../../../src/testing/index.js';
import type { AuditEvent, EngineOptions, PolicyDefinition, ValidationDecision } from '../../../src/index.js';
import { engineSkipReason, expectNoTempPath } from '../engines/support.js';
import { OPA_INSTALL, OWNED_POLICY, S3_POLICY, artifact, sourcesFor } from './support.js';

expect.extend(tierguardMatchers);

const opa = createOpaCliAdapter();
const skip = await engineSkipReason(opa, OPA_INSTALL);
const PUBLIC = artifact('bucket-public.json');
const PRIVATE = artifact('bucket-private.json');

/** An engine over inline policies whose engine policies resolve from the fixtures, with the real OPA adapter. */
function engineOf(policies: readonly PolicyDefinition[], options: Omit<EngineOptions, 'policies' | 'sources'> = {}) {
  return createEngine({ adapters: [opa], ...options, policies, sources: sourcesFor(policies) });
}

/** What a decision says, without durations. */
function outline(decision: ValidationDecision) {
  return {
    result: decision.result,
    verdict: decision.verdict,
    outcome: decision.outcome,
    engines: decision.engines.map((verdict) => [verdict.engine, verdict.policy, verdict.verdict, verdict.error?.code]),
  };
}

describe.skipIf(skip !== undefined)(`engine.validate with OPA${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('passes a private bucket and denies a public one, naming the rule and the path', async () => {
    const engine = await engineOf([S3_POLICY]);
    const passed = await engine.validate({ path: PRIVATE });
    expect(outline(passed)).toEqual({
      result: 'pass',
      verdict: 'allow',
      outcome: 'allow',
      engines: [['opa', '../engine-policies/s3.rego', 'pass', undefined]],
    });
    expect(passed.violations).toEqual([]);
    expect(passed.action).toEqual({ tool: PRIVATE, kind: 'artifact' });
    expect(passed.policyVersion).toBe(engine.version);

    const failed = await engine.validate({ path: PUBLIC });
    expect(outline(failed)).toEqual({
      result: 'fail',
      verdict: 'deny',
      outcome: 'deny',
      engines: [['opa', '../engine-policies/s3.rego', 'fail', undefined]],
    });
    expect(failed.violations).toEqual([
      {
        policyId: 's3.no-public',
        tier: 'engine',
        constraint: 's3-public-acl',
        path: ['resources', 'site', 'acl'],
        message: 'bucket site is public',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expect(failed.engines[0]?.violations).toEqual(failed.violations);
  });

  it('refuses an artifact with a repeated key, public then private, as a file or as text: never pass', async () => {
    const engine = await engineOf([S3_POLICY]);
    const twice = artifact('bucket-public-then-private.json');
    for (const given of [{ path: twice }, { content: await readFile(twice, 'utf8'), format: 'terraform-plan' as const }]) {
      const decision = await engine.validate(given);
      expect(outline(decision)).toEqual({
        result: 'error',
        verdict: 'deny',
        outcome: 'deny',
        engines: [['opa', '../engine-policies/s3.rego', 'error', 'INVALID_ARTIFACT']],
      });
      expect(decision.engines[0]?.error?.message).toContain('line 3, column 37: duplicate key "acl" at /resources/site/acl');
    }
  });

  it('works with the tierguard/testing matchers, as any decision does', async () => {
    const engine = await engineOf([S3_POLICY]);
    expect(await engine.validate({ path: PRIVATE })).toAllow();
    expect(await engine.validate({ path: PUBLIC })).toDeny();
    expect(await engine.validate({ path: PUBLIC })).toBeDeniedBy('s3.no-public');
  });

  it('validates content in memory, as JSON or as text with a format', async () => {
    const engine = await engineOf([S3_POLICY]);
    const value = JSON.parse(await readFile(PUBLIC, 'utf8')) as Record<string, unknown>;
    const asJson = await engine.validate({ content: value as never });
    expect(asJson.result).toBe('fail');
    expect(asJson.action.tool).toBe('artifact.json');
    const asText = await engine.validate({ content: await readFile(PRIVATE, 'utf8'), format: 'json', name: 'plan.json' });
    expect(outline(asText).result).toBe('pass');
    expect(asText.action.tool).toBe('plan.json');
    expectNoTempPath(asJson);
  });

  it('takes the effect of the policy: escalate asks for approval, warn only warns', async () => {
    const engine = await engineOf([
      { ...S3_POLICY, id: 'escalating', effect: 'escalate' },
      { ...S3_POLICY, id: 'warning', effect: 'warn' },
    ]);
    const decision = await engine.validate({ path: PUBLIC });
    expect(decision.result).toBe('fail');
    expect(decision.verdict).toBe('escalate');
    expect(decision.escalatedBy).toEqual(['escalating']);
    expect(decision.violations.map((v) => [v.policyId, v.effect])).toEqual([['escalating', 'escalate']]);
    expect(decision.warnings.map((v) => [v.policyId, v.effect, v.severity])).toEqual([['warning', 'warn', 'warning']]);

    const warnOnly = await (await engineOf([{ ...S3_POLICY, effect: 'warn' }])).validate({ path: PUBLIC });
    expect(outline(warnOnly)).toMatchObject({ result: 'fail', verdict: 'allow', outcome: 'allow' });
  });

  it('combines the bindings of several policies, in policy order: fail outranks pass', async () => {
    const engine = await engineOf([OWNED_POLICY, S3_POLICY]);
    const decision = await engine.validate({ path: PUBLIC });
    expect(outline(decision)).toEqual({
      result: 'fail',
      verdict: 'deny',
      outcome: 'deny',
      engines: [
        ['opa', '../engine-policies/bucket-rules', 'pass', undefined],
        ['opa', '../engine-policies/s3.rego', 'fail', undefined],
      ],
    });
    // The directory's rules are read together: a bucket without an owner fails the first binding.
    const unowned = await engine.validate({ content: { resources: { a: { acl: 'private' } } } });
    expect(unowned.violations.map((v) => [v.policyId, v.constraint, v.message])).toEqual([
      ['s3.owned', 'data.buckets.deny', 'bucket a has no owner tag'],
    ]);
  });

  it('combines the bindings of one policy: error outranks fail, and the error follows onError', async () => {
    const both: PolicyDefinition = {
      id: 'both',
      enforcement: [
        { engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny' },
        // Undefined in OPA (no such package): an error, never a pass.
        { engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.nowhere.deny' },
      ],
    };
    const decision = await (await engineOf([both])).validate({ path: PUBLIC });
    expect(outline(decision)).toEqual({
      result: 'error',
      verdict: 'deny',
      outcome: 'deny',
      engines: [
        ['opa', '../engine-policies/s3.rego', 'fail', undefined],
        ['opa', '../engine-policies/s3.rego', 'error', decision.engines[1]?.error?.code],
      ],
    });
    expect(decision.violations).toHaveLength(1);
    expect(decision.errors).toEqual([
      {
        code: 'EVALUATION_FAILED',
        policyId: 'both',
        message: expect.stringMatching(/^opa \(\.\.\/engine-policies\/s3\.rego\): [A-Z_]+: /) as unknown,
      },
    ]);
  });

  it('runs only the policies asked for, in policy order, and refuses ids it cannot run', async () => {
    const withAssert: PolicyDefinition = { id: 'action-only', assert: { field: 'tool', op: 'eq', value: 'x' } };
    const engine = await engineOf([OWNED_POLICY, S3_POLICY, withAssert]);
    const decision = await engine.validate({ path: PUBLIC }, { policies: ['s3.no-public'] });
    expect(outline(decision).engines).toEqual([['opa', '../engine-policies/s3.rego', 'fail', undefined]]);
    const reordered = await engine.validate({ path: PUBLIC }, { policies: ['s3.no-public', 's3.owned', 's3.no-public'] });
    expect(reordered.engines.map((verdict) => verdict.policy)).toEqual(['../engine-policies/bucket-rules', '../engine-policies/s3.rego']);

    for (const [policies, says] of [
      [['nope'], 'no policy has the id "nope"'],
      [['action-only'], 'policy "action-only" binds no enforcement engine'],
      [[], 'non-empty array'],
    ] as const) {
      const error = await engine.validate({ path: PUBLIC }, { policies }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(TierguardError);
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining(says) as unknown });
    }
    await expect(engine.validate({ path: PUBLIC }, { unknown: true } as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(engine.validate({ path: PUBLIC }, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('emits one audit event per validation: phase request, kind artifact, the artifact as tool', async () => {
    const events: AuditEvent[] = [];
    const engine = await engineOf([S3_POLICY], { onDecision: (event) => events.push(event) });
    await engine.validate({ path: PUBLIC }, { labels: { mcpTool: 'validate' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      phase: 'request',
      tool: PUBLIC,
      kind: 'artifact',
      verdict: 'deny',
      outcome: 'deny',
      policyIds: ['s3.no-public'],
      policyVersion: engine.version,
      labels: { mcpTool: 'validate' },
      durationMs: { auto: 0, formal: 0 },
    });
    expect(events[0]?.durationMs.total).toBeGreaterThan(0);
    expect(events[0]?.violations.map((v) => v.constraint)).toEqual(['s3-public-acl']);

    const failing = await engineOf([S3_POLICY], {
      onDecision: () => {
        throw new Error('log full');
      },
    });
    await expect(failing.validate({ path: PUBLIC })).rejects.toMatchObject({ code: 'AUDIT_FAILED' });
  });

  it('in monitor mode reports would_deny and blocks nothing, by engine mode or by policy mode', async () => {
    for (const engine of [await engineOf([S3_POLICY], { mode: 'monitor' }), await engineOf([{ ...S3_POLICY, mode: 'monitor' }])]) {
      const decision = await engine.validate({ path: PUBLIC });
      expect(outline(decision)).toMatchObject({ result: 'fail', verdict: 'allow', outcome: 'would_deny' });
      expect(decision.violations).toEqual([]);
      expect(decision.wouldDeny.map((v) => v.constraint)).toEqual(['s3-public-acl']);
    }
  });
});

describe('engine.validate with an engine that is not installed', () => {
  const missing = createOpaCliAdapter({ command: 'no-such-opa' });
  const engineWith = (options: Omit<EngineOptions, 'policies' | 'sources'> = {}) =>
    createEngine({ adapters: [missing], ...options, policies: [S3_POLICY], sources: sourcesFor([S3_POLICY]) });

  it('fails closed by default: result error, verdict deny, the reason in errors and engines', async () => {
    const decision = await (await engineWith()).validate({ path: PUBLIC });
    expect(outline(decision)).toEqual({
      result: 'error',
      verdict: 'deny',
      outcome: 'deny',
      engines: [['opa', '../engine-policies/s3.rego', 'error', 'ENGINE_UNAVAILABLE']],
    });
    expect(decision.violations).toEqual([]);
    expect(decision.errors).toEqual([
      {
        code: 'EVALUATION_FAILED',
        policyId: 's3.no-public',
        message: expect.stringContaining('opa (../engine-policies/s3.rego): ENGINE_UNAVAILABLE: ') as unknown,
      },
    ]);
    expect(decision.errors[0]?.message).toContain('no-such-opa');
  });

  it('fails open with onError allow, still saying result error', async () => {
    const decision = await (await engineWith({ onError: 'allow' })).validate({ path: PUBLIC });
    expect(outline(decision)).toMatchObject({ result: 'error', verdict: 'allow', outcome: 'allow' });
    expect(decision.errors).toHaveLength(1);
  });

  it('reports would_deny in monitor mode', async () => {
    const decision = await (await engineWith({ mode: 'monitor' })).validate({ path: PUBLIC });
    expect(outline(decision)).toMatchObject({ result: 'error', verdict: 'allow', outcome: 'would_deny' });
  });

  it('throws with onError throw', async () => {
    const error = await (await engineWith({ onError: 'throw' })).validate({ path: PUBLIC }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TierguardError);
    expect(error).toMatchObject({
      code: 'EVALUATION_FAILED',
      details: { policyId: 's3.no-public' },
      message: expect.stringContaining('ENGINE_UNAVAILABLE') as unknown,
    });
  });
});
