import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../../src/engines/process/run-process.js';
import { DEFAULT_ENGINE_LIMITS } from '../../../src/limits.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { Artifact, EngineAdapter, EngineOptions, PolicyDefinition } from '../../../src/index.js';
import type { EngineBinding, EngineEvaluateOptions } from '../../../src/engines/types.js';
import { DAEMONIZING_ENGINE, gone, killLeftovers, readEngineReport } from '../../support/daemonizing-engine.js';
import { INLINE_SOURCE } from './support.js';

/**
 * A third-party adapter whose answer the test chooses: these tests are about what
 * the core does with an adapter's answer (or its misbehaviour), not about an engine.
 */
function adapterAnswering(
  answer: (artifact: Artifact, binding: EngineBinding, options: EngineEvaluateOptions) => unknown,
): EngineAdapter & { seen: [Artifact, EngineBinding][] } {
  const seen: [Artifact, EngineBinding][] = [];
  return {
    name: 'custom',
    seen,
    available: () => Promise.resolve({ ok: true }),
    evaluate: (artifact, binding, options = {}) => {
      seen.push([artifact, binding]);
      return answer(artifact, binding, options) as never;
    },
  };
}

const POLICY: PolicyDefinition = {
  id: 'custom.rule',
  effect: 'escalate',
  enforcement: [{ engine: 'custom', policy: '../engine-policies/s3.rego', query: 'q', options: { level: 2 } }],
};

const engineWith = (adapter: EngineAdapter, options: Omit<EngineOptions, 'policies' | 'sources' | 'adapters'> = {}) =>
  createEngine({ ...options, policies: [POLICY], sources: [INLINE_SOURCE], adapters: [adapter] });

const violation = {
  policyId: 'custom.rule',
  tier: 'engine',
  constraint: 'r1',
  path: ['a', 0],
  message: 'bad a',
  effect: 'escalate',
  severity: 'violation',
};

describe('engine.validate and the adapter contract', () => {
  it('hands the adapter the binding resolved: absolute policy, the policy id and effect, query and options', async () => {
    const adapter = adapterAnswering(() => ({ verdict: 'pass', engine: 'custom', policy: 'x', violations: [], durationMs: 1 }));
    const decision = await (await engineWith(adapter)).validate({ content: { a: 1 } });
    expect(decision.result).toBe('pass');
    expect(adapter.seen).toHaveLength(1);
    const [artifact, binding] = adapter.seen[0] ?? [];
    expect(artifact).toEqual({ content: { a: 1 } });
    expect(binding).toEqual({
      engine: 'custom',
      policy: new URL('../../fixtures/enforcement/engine-policies/s3.rego', import.meta.url).pathname,
      query: 'q',
      options: { level: 2 },
      policyId: 'custom.rule',
      effect: 'escalate',
    });
    // The verdict reports the policy as the definition wrote it, under the adapter's name.
    expect(decision.engines).toEqual([
      { verdict: 'pass', engine: 'custom', policy: '../engine-policies/s3.rego', violations: [], durationMs: 1 },
    ]);
  });

  it('keeps the violations of a fail verdict, bound to the policy that bound the engine', async () => {
    const adapter = adapterAnswering(() => ({
      verdict: 'fail',
      violations: [{ ...violation, policyId: 'someone.else', tier: 'auto' }],
      durationMs: 3,
    }));
    const decision = await (await engineWith(adapter)).validate({ content: 'x', format: 'text' });
    expect(decision).toMatchObject({ result: 'fail', verdict: 'escalate', escalatedBy: ['custom.rule'] });
    expect(decision.violations).toEqual([violation]);
  });

  const garbage: [string, () => unknown, string][] = [
    [
      'throws',
      () => {
        throw new Error('adapter bug');
      },
      'ENGINE_FAILED',
    ],
    ['rejects', () => Promise.reject(new Error('adapter bug')), 'ENGINE_FAILED'],
    ['answers undefined', () => undefined, 'INVALID_OUTPUT'],
    ['answers a string', () => 'pass', 'INVALID_OUTPUT'],
    ['answers an unknown verdict', () => ({ verdict: 'ok', violations: [] }), 'INVALID_OUTPUT'],
    ['answers violations that are not a list', () => ({ verdict: 'fail', violations: {} }), 'INVALID_OUTPUT'],
    ['fails without a violation', () => ({ verdict: 'fail', violations: [] }), 'INVALID_OUTPUT'],
    ['passes with a violation', () => ({ verdict: 'pass', violations: [violation] }), 'INVALID_OUTPUT'],
    ['gives a violation without a message', () => ({ verdict: 'fail', violations: [{ constraint: 'x' }] }), 'INVALID_OUTPUT'],
    ['gives a violation with a bad path', () => ({ verdict: 'fail', violations: [{ message: 'm', path: [{}] }] }), 'INVALID_OUTPUT'],
    [
      'answers with a getter that throws',
      () =>
        Object.defineProperty({}, 'verdict', {
          get() {
            throw new Error('hostile');
          },
        }),
      'INVALID_OUTPUT',
    ],
  ];
  for (const [what, answer, code] of garbage) {
    it(`turns an adapter that ${what} into an error verdict (${code}), never a crash`, async () => {
      const decision = await (await engineWith(adapterAnswering(answer))).validate({ content: { a: 1 } });
      expect(decision).toMatchObject({ result: 'error', verdict: 'deny', violations: [] });
      expect(decision.engines).toMatchObject([
        { verdict: 'error', engine: 'custom', policy: '../engine-policies/s3.rego', error: { code } },
      ]);
      expect(decision.errors).toEqual([
        {
          code: 'EVALUATION_FAILED',
          policyId: 'custom.rule',
          message: expect.stringContaining(`custom (../engine-policies/s3.rego): ${code}: the custom adapter`) as unknown,
        },
      ]);
    });
  }

  it('completes an error verdict that does not say why', async () => {
    const decision = await (
      await engineWith(adapterAnswering(() => ({ verdict: 'error', violations: [] })))
    ).validate({ content: { a: 1 } });
    expect(decision.engines[0]?.error).toEqual({ code: 'ENGINE_FAILED', message: 'the custom adapter answered error without saying why' });
  });

  it('stops waiting for an adapter that never answers, past its time limit and a grace period', async () => {
    const adapter = adapterAnswering(() => new Promise(() => undefined));
    const decision = await (await engineWith(adapter)).validate({ content: { a: 1 } }, { timeoutMs: 1 });
    expect(decision.engines).toMatchObject([
      { verdict: 'error', error: { code: 'TIMEOUT', message: expect.stringContaining('did not answer') as unknown } },
    ]);
  });

  it('waits for an adapter under a time limit longer than Node timers hold, instead of giving up at once', async () => {
    const adapter = adapterAnswering(
      () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({ verdict: 'pass', engine: 'custom', policy: 'x', violations: [], durationMs: 1 }), 50),
        ),
    );
    const decision = await (await engineWith(adapter)).validate({ content: { a: 1 } }, { timeoutMs: 3_000_000_000 });
    expect(decision.engines).toMatchObject([{ verdict: 'pass' }]);
  });

  it("passes the caller's abort on to the adapter's signal", async () => {
    let seenAborted: boolean | undefined;
    const adapter = adapterAnswering((_artifact, _binding, options) => {
      seenAborted = options.signal?.aborted;
      return { verdict: 'error', violations: [], error: { code: 'ABORTED', message: 'aborted' } };
    });
    await (await engineWith(adapter)).validate({ content: { a: 1 } }, { signal: AbortSignal.abort() });
    expect(seenAborted).toBe(true);
  });

  it('tells an adapter it gave up on to stop, through the signal: the engine it started is killed', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'tierguard-adapter-contract-'));
    const report = join(scratch, 'report');
    const started: number[] = [];
    try {
      // It ignores the time limit it is given and only listens to the signal, as a careless adapter might.
      const adapter = adapterAnswering((_artifact, _binding, options) =>
        runProcess(process.execPath, [DAEMONIZING_ENGINE], {
          timeoutMs: 600_000,
          maxStdoutBytes: 65_536,
          maxStderrBytes: 65_536,
          env: { ...process.env, FAKE_ENGINE_REPORT: report },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }).then(() => new Promise(() => undefined)),
      );
      const decision = await (await engineWith(adapter)).validate({ content: { a: 1 } }, { timeoutMs: 1 });
      expect(decision.engines).toMatchObject([{ verdict: 'error', error: { code: 'TIMEOUT' } }]);
      const { engine, daemon } = await readEngineReport(report, false);
      started.push(engine, daemon);
      expect(await gone(engine)).toBe(true);
      expect(await gone(daemon)).toBe(true);
    } finally {
      killLeftovers(started);
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('engine.validate and a hostile artifact', () => {
  const hostile: [string, unknown, string][] = [
    ['null', null, 'must be an object'],
    ['a string', 'main.tf', 'must be an object'],
    ['an array', [{ path: 'x' }], 'must be an object'],
    ['neither path nor content', {}, 'exactly one of path and content'],
    ['both path and content', { path: 'a.json', content: '{}' }, 'exactly one of path and content'],
    ['an empty path', { path: '' }, 'non-empty string'],
    ['a path and a name', { path: 'a.json', name: 'b.json' }, 'takes no name'],
    ['a format that is not a string', { content: '{}', format: 7 }, 'unknown artifact format of type number'],
    ['a format tierguard does not know', { content: '{}', format: 'cobol' }, 'unknown artifact format "cobol"'],
    ['text with neither a format nor a name', { content: 'x = 1' }, 'needs a format or a name'],
    ['content over the limit', { content: 'x'.repeat(DEFAULT_ENGINE_LIMITS.maxArtifactBytes + 1), format: 'text' }, 'more than the limit'],
    ['JSON content over the limit', { content: ['x'.repeat(DEFAULT_ENGINE_LIMITS.maxArtifactBytes)] }, 'more than the limit'],
    ['content that is not JSON', { content: 10n }, 'cannot be read'],
    ['content that is a function', { content: () => 1 }, 'string or a JSON value'],
    [
      'a getter that throws',
      Object.defineProperty({}, 'content', {
        enumerable: true,
        get() {
          throw new Error('hostile getter');
        },
      }),
      'hostile getter',
    ],
  ];

  for (const [what, artifact, says] of hostile) {
    it(`answers ${what} with a decision that has an error, running no engine`, async () => {
      const adapter = adapterAnswering(() => ({ verdict: 'pass', violations: [] }));
      const decision = await (await engineWith(adapter)).validate(artifact as Artifact);
      expect(decision).toMatchObject({ result: 'error', verdict: 'deny', outcome: 'deny', engines: [], violations: [] });
      expect(decision.errors).toEqual([{ code: 'INVALID_ACTION', message: expect.stringContaining(says) as unknown }]);
      expect(decision.action.kind).toBe('artifact');
      expect(adapter.seen).toEqual([]);
    });
  }

  it("copies the artifact once: the adapter sees plain data, not the caller's object", async () => {
    const adapter = adapterAnswering(() => ({ verdict: 'pass', violations: [] }));
    let reads = 0;
    const artifact = Object.defineProperty({}, 'content', {
      enumerable: true,
      get() {
        reads += 1;
        return { n: reads };
      },
    });
    await (await engineWith(adapter)).validate(artifact as Artifact);
    expect(reads).toBe(1);
    expect(adapter.seen[0]?.[0]).toEqual({ content: { n: 1 } });
  });

  it('follows onError: allow fails open, throw throws INVALID_ACTION', async () => {
    const adapter = adapterAnswering(() => ({ verdict: 'pass', violations: [] }));
    const open = await (await engineWith(adapter, { onError: 'allow' })).validate(null as never);
    expect(open).toMatchObject({ result: 'error', verdict: 'allow' });
    const error = await (await engineWith(adapter, { onError: 'throw' })).validate({ path: 'a', content: 'b' } as never).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TierguardError);
    expect(error).toMatchObject({ code: 'INVALID_ACTION' });
  });

  it('refuses to validate with a policy set that binds no engine', async () => {
    const engine = await createEngine({ policies: [{ id: 'a', assert: { field: 'tool', op: 'eq', value: 'x' } }] });
    await expect(engine.validate({ content: {} })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('no policy binds') as unknown,
    });
  });
});
