import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchPolicies } from '../../../src/index.js';
import type { Decision, TierguardError } from '../../../src/index.js';
import { makeTree, removeTrees } from './support.js';

afterEach(removeTrees);

const SWAPS = 100;
const LOOPS = 8;
const FIRST_BOUND = 1000;

/**
 * Both tiers bound the same amount by N: an auto `lte` and a formal shape's
 * `maxInclusive`, in one file so each version has exactly one N. A decision whose
 * findings came from two versions would show one tier's violation without the other's.
 */
function policies(bound: number): string {
  return JSON.stringify([
    { id: 'bound', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: bound } },
    {
      id: 'shape',
      tools: ['pay'],
      shape: { properties: [{ path: 'arguments.amount', minCount: 1, datatype: 'decimal', maxInclusive: bound }] },
    },
  ]);
}

interface Evaluated {
  readonly amount: number;
  /** The version serving when the call was made. */
  readonly startedOn: string;
  readonly decision: Decision;
}

describe('watchPolicies under load', () => {
  it(`decides every evaluation by one version while ${SWAPS} reloads swap engines under ${LOOPS} concurrent evaluation loops`, async () => {
    const root = await makeTree({ 'policies.json': policies(FIRST_BOUND) });
    const file = join(root, 'policies.json');
    const errors: TierguardError[] = [];
    // Polling on too, so polls and reload() contend as they would in service.
    const watcher = await watchPolicies(root, { intervalMs: 50, engine: { shortCircuit: false }, onError: (error) => errors.push(error) });
    try {
      const boundOf = new Map<string, number>([[watcher.engine.version, FIRST_BOUND]]);
      let latest = FIRST_BOUND;
      let stop = false;
      const evaluated: Evaluated[] = [];

      const loop = async (offset: number): Promise<void> => {
        for (let call = offset; !stop; call += 1) {
          // Around the newest bound: consecutive versions differ by one, so a decision
          // taken on the wrong version gets the wrong verdict for some of these amounts.
          const amount = latest + (call % 7) - 3;
          const startedOn = watcher.engine.version;
          const decision = await watcher.evaluate({ tool: 'pay', arguments: { amount } });
          evaluated.push({ amount, startedOn, decision });
          // The formal tier resolves through promises only; yielding to the event loop
          // lets file writes and reloads run between evaluations, as a server's requests would.
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      };
      const loops = Array.from({ length: LOOPS }, (_, index) => loop(index));

      for (let swap = 1; swap <= SWAPS; swap += 1) {
        const bound = FIRST_BOUND + swap;
        // Written synchronously (aside, then renamed, so a poll never reads half a file):
        // the time goes to reloading, not to queueing writes behind evaluations.
        writeFileSync(`${file}.tmp`, policies(bound));
        renameSync(`${file}.tmp`, file);
        const engine = await watcher.reload();
        expect(boundOf.has(engine.version), `swap ${swap} made a new version`).toBe(false);
        boundOf.set(engine.version, bound);
        latest = bound;
      }
      stop = true;
      await Promise.all(loops);

      expect(errors).toEqual([]);
      expect(boundOf.size).toBe(SWAPS + 1);
      expect(evaluated.length).toBeGreaterThan(SWAPS);

      const wrong: string[] = [];
      for (const { amount, startedOn, decision } of evaluated) {
        const bound = boundOf.get(decision.policyVersion);
        const label = `amount ${amount} on ${decision.policyVersion.slice(0, 15)}`;
        if (bound === undefined) {
          wrong.push(`${label}: unknown version`);
          continue;
        }
        if (decision.policyVersion !== startedOn) wrong.push(`${label}: started on ${startedOn.slice(0, 15)}`);
        const over = amount > bound;
        const auto = decision.violations.some((violation) => violation.tier === 'auto' && violation.policyId === 'bound');
        const formal = decision.violations.some((violation) => violation.tier === 'formal' && violation.policyId === 'shape');
        if (auto !== over || formal !== over) wrong.push(`${label} (bound ${bound}): auto ${auto}, formal ${formal}`);
        if (decision.verdict !== (over ? 'deny' : 'allow')) wrong.push(`${label} (bound ${bound}): ${decision.verdict}`);
        if (decision.errors.length > 0) wrong.push(`${label}: errors ${JSON.stringify(decision.errors)}`);
      }
      expect(wrong).toEqual([]);

      // The checks above mean something only if most versions served decisions, of both verdicts.
      expect(new Set(evaluated.map(({ decision }) => decision.policyVersion)).size).toBeGreaterThan(SWAPS / 2);
      expect(new Set(evaluated.map(({ decision }) => decision.verdict))).toEqual(new Set(['allow', 'deny']));
    } finally {
      watcher.close();
    }
  });
});
