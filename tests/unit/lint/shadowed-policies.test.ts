import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import type { Action, PolicyDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';

/** Policies another one makes redundant: it applies wherever they do and is violated, as strongly, whenever they are. */

const DROP_ALL: PolicyDefinition = { id: 'db.no-drop', tools: ['database.drop*'] };
const DROP_REASON: PolicyDefinition = {
  id: 'db.drop-reason',
  tools: ['database.drop_table'],
  effect: 'escalate',
  require: ['arguments.reason'],
};

describe('shadowed-policy', () => {
  it('reports a weaker check under a policy that denies everything it covers, whichever comes first', async () => {
    for (const set of [
      [DROP_ALL, DROP_REASON],
      [DROP_REASON, DROP_ALL],
    ]) {
      const [finding, ...rest] = findingsOf('shadowed-policy', set);
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', policyId: 'db.drop-reason', pointer: '' });
      expect(finding?.message).toBe(
        'policy "db.drop-reason" is shadowed by policy "db.no-drop": wherever "db.drop-reason" applies, "db.no-drop" applies too and is violated, at least as strongly, whenever "db.drop-reason" is, so "db.drop-reason" never changes a verdict',
      );
    }
    // What the finding claims, as the engine decides: with or without the shadowed policy, the same verdicts.
    const both = await createEngine({ policies: [DROP_ALL, DROP_REASON] });
    const alone = await createEngine({ policies: [DROP_ALL] });
    const actions: Action[] = [
      { tool: 'database.drop_table', arguments: {} },
      { tool: 'database.drop_table', arguments: { reason: 'cleanup' } },
      { tool: 'database.select', arguments: {} },
    ];
    for (const action of actions) expect(both.evaluateAuto(action).verdict).toBe(alone.evaluateAuto(action).verdict);
  });

  it('reports the later of two identical policies, saying they are the same', () => {
    const cap: PolicyDefinition = { id: 'cap', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } };
    const [finding] = findingsOf('shadowed-policy', [cap, { ...cap, id: 'cap-again' }]);
    expect(finding?.policyId).toBe('cap-again');
    expect(finding?.message).toContain('the same policy under another id');
  });

  it('reports a looser bound under a tighter one, and a narrower when under a wider one', () => {
    const tight: PolicyDefinition = { id: 'tight', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } };
    const loose: PolicyDefinition = {
      id: 'loose',
      tools: ['pay'],
      when: {
        all: [
          { field: 'context.env', op: 'eq', value: 'prod' },
          { field: 'arguments.currency', op: 'eq', value: 'EUR' },
        ],
      },
      assert: { field: 'arguments.amount', op: 'lte', value: 1000 },
    };
    expect(where(findingsOf('shadowed-policy', [tight, loose]))).toEqual(['loose ']);
    const wider = { ...tight, when: { field: 'context.env', op: 'eq', value: 'prod' } } as PolicyDefinition;
    expect(where(findingsOf('shadowed-policy', [wider, loose]))).toEqual(['loose ']);
  });

  it('reports nothing when the other policy is weaker anywhere: effect, mode, tools, when, checks', () => {
    const cases: PolicyDefinition[] = [
      { ...DROP_ALL, effect: 'warn' },
      { ...DROP_ALL, mode: 'monitor' },
      { ...DROP_ALL, tools: ['database.truncate'] },
      { ...DROP_ALL, when: { field: 'context.env', op: 'eq', value: 'prod' } },
      { ...DROP_ALL, require: ['arguments.ticket'] },
      { ...DROP_ALL, on: 'response' },
    ];
    for (const other of cases) expect(findingsOf('shadowed-policy', [other, DROP_REASON]), JSON.stringify(other)).toEqual([]);
    // A policy that rewrites still does something of its own.
    const rewrites: PolicyDefinition = { ...DROP_REASON, rewrite: [{ op: 'set_default', field: 'arguments.reason', value: 'none' }] };
    expect(findingsOf('shadowed-policy', [DROP_ALL, rewrites])).toEqual([]);
  });

  it('finds a covering policy whichever pattern it lists first, and refuses one that covers only some tools', () => {
    const reads: PolicyDefinition = { id: 'reads', tools: ['files.read', 'files.list'], require: ['arguments.path'] };
    const byList: PolicyDefinition = { id: 'list', tools: ['files.list', 'files.read'], require: ['arguments.path', 'arguments.why'] };
    const byGlob: PolicyDefinition = { id: 'glob', tools: ['files.*'] };
    const some: PolicyDefinition = { id: 'some', tools: ['files.read'] };
    expect(where(findingsOf('shadowed-policy', [byList, reads]))).toEqual(['reads ']);
    expect(where(findingsOf('shadowed-policy', [reads, byGlob]))).toEqual(['reads ']);
    expect(findingsOf('shadowed-policy', [some, reads])).toEqual([]);
  });

  it('leaves advisory policies out', () => {
    const advice: PolicyDefinition = { id: 'advice', severity: 'advisory', tools: ['database.drop_table'] };
    expect(findingsOf('shadowed-policy', [DROP_ALL, advice])).toEqual([]);
  });
});
