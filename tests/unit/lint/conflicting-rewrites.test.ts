import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import type { PolicyDefinition, RewriteDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';

/** Rewrites of one field that undo each other, in the order the engine runs them. */

const rewriting = (id: string, rewrite: RewriteDefinition[], more: Partial<PolicyDefinition> = {}): PolicyDefinition => ({
  id,
  tools: ['orders.create'],
  rewrite,
  ...more,
});

describe('conflicting-rewrites', () => {
  it('reports a default over the cap a policy of higher priority set, as the engine shows', async () => {
    const cap = rewriting('cap', [{ op: 'cap_value', field: 'arguments.total', value: 100 }], { priority: 1 });
    const fill = rewriting('fill', [{ op: 'set_default', field: 'arguments.total', value: 500 }]);
    const [finding, ...rest] = findingsOf('conflicting-rewrites', [cap, fill]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', policyId: 'fill', pointer: '/rewrite/0' });
    expect(finding?.message).toBe(
      'policy "fill": its set_default 500 (/rewrite/0) runs after policy "cap"\'s cap_value 100 (/rewrite/0) on "arguments.total": the default 500 is over the cap 100',
    );
    const engine = await createEngine({ policies: [cap, fill] });
    expect(engine.evaluateAuto({ tool: 'orders.create', arguments: {} }).action.arguments).toEqual({ total: 500 });
  });

  it('reports pairs in one policy, and each kind of undoing', () => {
    const pairs: [RewriteDefinition, RewriteDefinition, string][] = [
      [{ op: 'set_default', field: 'a', value: 1 }, { op: 'set_default', field: 'a', value: 2 }, 'the second default never applies'],
      [{ op: 'set_default', field: 'a', value: 1 }, { op: 'mask_field', field: 'a' }, 'the default never shows'],
      [{ op: 'mask_field', field: 'a' }, { op: 'mask_field', field: 'a', value: 'x' }, 'the second mask replaces the first'],
      [{ op: 'mask_field', field: 'a' }, { op: 'remove_field', field: 'a' }, 'the mask never shows'],
      [{ op: 'remove_field', field: 'a' }, { op: 'set_default', field: 'a', value: 0 }, 'the removal never shows'],
      [{ op: 'remove_field', field: 'a' }, { op: 'cap_value', field: 'a', value: 1 }, 'the cap never applies'],
      [{ op: 'cap_value', field: 'a', value: 1 }, { op: 'cap_value', field: 'a', value: 2 }, 'only the lower cap 1 ever binds'],
      [{ op: 'cap_value', field: 'a', value: 1 }, { op: 'mask_field', field: 'a' }, 'the cap never shows'],
      [{ op: 'mask_field', field: 'a' }, { op: 'cap_value', field: 'a', value: 1 }, 'can never meet the cap'],
      [{ op: 'mask_field', field: 'a', value: null }, { op: 'mask_field', field: 'a', value: 'x' }, 'the second mask replaces the first'],
    ];
    for (const [first, second, consequence] of pairs) {
      const [finding] = findingsOf('conflicting-rewrites', [rewriting('p', [first, second])]);
      expect(finding?.pointer, consequence).toBe('/rewrite/1');
      expect(finding?.message).toContain(consequence);
    }
  });

  it('reports nothing where both keep their effect', () => {
    const fine: [RewriteDefinition, RewriteDefinition][] = [
      [
        { op: 'set_default', field: 'a', value: 20 },
        { op: 'cap_value', field: 'a', value: 100 },
      ],
      [
        { op: 'mask_field', field: 'a' },
        { op: 'set_default', field: 'a', value: 'none' },
      ],
      [
        { op: 'set_default', field: 'a', value: 1 },
        { op: 'set_default', field: 'a', value: 1 },
      ],
      [
        { op: 'remove_field', field: 'a' },
        { op: 'remove_field', field: 'a' },
      ],
      [
        { op: 'replace', field: 'a', pattern: 'x', with: 'y' },
        { op: 'replace', field: 'a', pattern: 'y', with: 'z' },
      ],
      [
        { op: 'mask_field', field: 'a' },
        { op: 'mask_field', field: 'b', value: 'x' },
      ],
    ];
    for (const [first, second] of fine) expect(findingsOf('conflicting-rewrites', [rewriting('p', [first, second])])).toEqual([]);
  });

  it('reports policies only when they can rewrite one action: tools that meet, whens that do not exclude each other', () => {
    const cap = rewriting('cap', [{ op: 'cap_value', field: 'arguments.total', value: 100 }], { priority: 1 });
    const fill = (more: Partial<PolicyDefinition>): PolicyDefinition =>
      rewriting('fill', [{ op: 'set_default', field: 'arguments.total', value: 500 }], more);
    expect(findingsOf('conflicting-rewrites', [cap, fill({ tools: ['orders.update'] })])).toEqual([]);
    expect(findingsOf('conflicting-rewrites', [cap, fill({ on: 'response' })])).toEqual([]);
    const prod = { field: 'context.env', op: 'eq', value: 'prod' } as const;
    const dev = { field: 'context.env', op: 'eq', value: 'dev' } as const;
    expect(findingsOf('conflicting-rewrites', [{ ...cap, when: prod }, fill({ when: dev })])).toEqual([]);
    expect(where(findingsOf('conflicting-rewrites', [{ ...cap, when: prod }, fill({ when: prod })]))).toEqual(['fill /rewrite/0']);
    expect(where(findingsOf('conflicting-rewrites', [cap, fill({ tools: ['orders.*'] })]))).toEqual(['fill /rewrite/0']);
  });
});
