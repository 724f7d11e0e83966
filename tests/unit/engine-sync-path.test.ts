import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine, loadPolicies } from '../../src/index.js';
import type { Action, AuditEvent, Engine, EngineOptions, PolicyDefinition } from '../../src/index.js';
import { decidesSynchronously } from '../../src/engine.js';
import { policyParts } from '../../src/policy/policy-parts.js';

/**
 * `decidesSynchronously`: the engines for which `evaluateAuto` may stand in for
 * `evaluate` on a hot path (the MCP guard does). On the example bundle's
 * policies without a formal part and every example action, plus actions the
 * engine refuses (limits, malformed) and failures (`onError: 'throw'`, an audit
 * sink that throws), both must give the same decision, the same audit event
 * (but its clock readings) and the same error.
 */

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

async function exampleAutoPolicies(): Promise<PolicyDefinition[]> {
  const { definitions } = await loadPolicies(join(EXAMPLES, 'policies'));
  const auto = definitions.filter((definition) => policyParts(definition).formal.length === 0);
  // The bundle has both kinds, so both engines below are real cases.
  expect(auto.length).toBeGreaterThan(5);
  expect(auto.length).toBeLessThan(definitions.length);
  return auto;
}

async function exampleActions(): Promise<Action[]> {
  const folder = join(EXAMPLES, 'actions');
  const files = (await readdir(folder)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => JSON.parse(await readFile(join(folder, file), 'utf8')) as Action));
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level += 1) value = { next: value };
  return value;
}

/** Actions the engine refuses before or while judging them. */
const REFUSED: readonly unknown[] = [
  { tool: 'payments.transfer', arguments: nested(200) },
  { tool: 'payments.transfer', arguments: { many: Array.from({ length: 200_000 }, (_, index) => index) } },
  { tool: 'x'.repeat(2_000_000), arguments: {} },
  { arguments: { amount: 1 } },
  null,
  ['payments.transfer'],
];

/** An audit event without what depends on the clock. */
const timeless = ({ time: _time, durationMs: _durationMs, ...rest }: AuditEvent): Omit<AuditEvent, 'time' | 'durationMs'> => rest;

type Outcome =
  { readonly decision: unknown } | { readonly thrown: { readonly name: string; readonly code: unknown; readonly message: string } };

async function outcomeOf(run: () => unknown): Promise<Outcome> {
  try {
    return { decision: await run() };
  } catch (error) {
    const { name, message, code } = error as Error & { code?: unknown };
    return { thrown: { name, code, message } };
  }
}

/** Both paths on one action: what each returned or threw, and the audit event each emitted. */
async function bothPaths(options: EngineOptions, action: unknown) {
  const events: AuditEvent[] = [];
  const sink = options.onDecision;
  const engine = await createEngine({
    ...options,
    onDecision: (event) => {
      events.push(event);
      sink?.(event);
    },
  });
  const labels = { labels: { method: 'tools/call', requestId: 7 } };
  const asynchronous = await outcomeOf(() => engine.evaluate(action as Action, labels));
  const synchronous = await outcomeOf(() => engine.evaluateAuto(action as Action, labels));
  return { engine, asynchronous, synchronous, events: events.map(timeless) };
}

describe('decidesSynchronously', () => {
  it('is true for an engine without a formal tier, false with one, and false for a copy of an engine', async () => {
    const { definitions, sources } = await loadPolicies(join(EXAMPLES, 'policies'));
    const auto = await createEngine({ policies: await exampleAutoPolicies() });
    const formal = await createEngine({ policies: definitions, sources });
    expect(decidesSynchronously(auto)).toBe(true);
    expect(decidesSynchronously(await createEngine({ policies: [] }))).toBe(true);
    expect(decidesSynchronously(formal)).toBe(false);
    // A copy or a wrapper may do anything in its evaluate: it keeps the promise.
    const copy: Engine = { ...auto };
    expect(decidesSynchronously(copy)).toBe(false);
  });

  it('evaluateAuto gives what evaluate gives on every example action, decision and audit event alike', async () => {
    const policies = await exampleAutoPolicies();
    for (const action of await exampleActions()) {
      const { engine, asynchronous, synchronous, events } = await bothPaths({ policies }, action);
      expect(decidesSynchronously(engine)).toBe(true);
      expect(synchronous).toEqual(asynchronous);
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual(events[0]);
    }
  });

  it('and on actions the engine refuses: limits, a missing tool, not an object', async () => {
    const policies = await exampleAutoPolicies();
    for (const action of REFUSED) {
      const { asynchronous, synchronous, events } = await bothPaths({ policies }, action);
      expect(asynchronous).toMatchObject({ decision: { verdict: 'deny' } });
      expect(synchronous).toEqual(asynchronous);
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual(events[0]);
    }
  });

  it('throws what evaluate rejects with: onError "throw", and an audit sink that throws', async () => {
    const policies = await exampleAutoPolicies();
    const throwing = await bothPaths({ policies, onError: 'throw' }, REFUSED[0]);
    expect(throwing.asynchronous).toMatchObject({ thrown: { code: 'LIMIT_EXCEEDED' } });
    expect(throwing.synchronous).toEqual(throwing.asynchronous);
    expect(throwing.events).toEqual([]);

    const [action] = await exampleActions();
    const failing = await bothPaths(
      {
        policies,
        onDecision: () => {
          throw new Error('disk full');
        },
      },
      action,
    );
    expect(failing.asynchronous).toMatchObject({ thrown: { code: 'AUDIT_FAILED' } });
    expect(failing.synchronous).toEqual(failing.asynchronous);
    expect(failing.events).toHaveLength(2);
    expect(failing.events[1]).toEqual(failing.events[0]);
  });
});
