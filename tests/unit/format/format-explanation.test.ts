import { describe, expect, it } from 'vitest';
import { formatDecision } from '../../../src/format/format-decision.js';
import { formatExplanation } from '../../../src/format/format-explanation.js';
import { createEngine } from '../../../src/index.js';
import type { Action, EngineOptions, PolicyDefinition } from '../../../src/index.js';

/** `tierguard explain`'s text: a tree per policy, then the decision as `tierguard check` prints it. */

async function text(policies: PolicyDefinition[], action: Action, options: Partial<EngineOptions> = {}): Promise<string> {
  const engine = await createEngine({ policies, ...options });
  return formatExplanation(await engine.explain(action), action.tool);
}

const version = async (policies: PolicyDefinition[]): Promise<string> => (await createEngine({ policies })).version.slice(0, 19);

describe('formatExplanation', () => {
  it('draws each policy as a tree of marked checks, with values, operands and findings', async () => {
    const policies: PolicyDefinition[] = [
      {
        id: 'pay.amount',
        tools: ['payments.*'],
        require: ['arguments.amount'],
        assert: {
          all: [
            { field: 'arguments.amount', op: 'gt', value: 0 },
            { field: 'arguments.amount', op: 'lte', valueRef: 'context.max' },
          ],
        },
      },
      { id: 'crm.only', tools: ['crm.a', 'crm.b', 'crm.c', 'crm.d'] },
      { id: 'big', effect: 'escalate', when: { field: 'arguments.amount', op: 'gt', value: 1_000_000 } },
      { id: 'guide', severity: 'advisory' },
    ];
    const action = { tool: 'payments.transfer', arguments: { amount: 500 }, context: { max: 100 } };
    const output = await text(policies, action);
    expect(output).toBe(
      [
        `explain  payments.transfer  (policies ${await version(policies)})`,
        'fail  pay.amount  violated: it denies',
        '      tools  payments.* matches',
        '      pass  require arguments.amount  read 500',
        '      fail  assert all',
        '            pass  arguments.amount > 0  read 500',
        '            fail  arguments.amount <= context.max  read 500, context.max = 100',
        '                  x arguments.amount  arguments.amount must be at most context.max = 100 (got 500)',
        'skip  crm.only  not applicable: its tools do not select the tool (crm.a, crm.b, crm.c, … 1 more)',
        'skip  big  not applicable: its when does not hold',
        '      fail  when arguments.amount > 1000000  read 500',
        'skip  guide  not evaluated: advisory: guidance only, never evaluated',
        '',
        `deny  payments.transfer  (policies ${await version(policies)})`,
        '  x pay.amount  arguments.amount  arguments.amount must be at most context.max = 100 (got 500)',
      ].join('\n'),
    );
  });

  it('ends with exactly what tierguard check prints for the decision', async () => {
    const engine = await createEngine({ policies: [{ id: 'cap', rewrite: [{ op: 'cap_value', field: 'arguments.n', value: 1 }] }] });
    const action = { tool: 't', arguments: { n: 5 } };
    const explanation = await engine.explain(action);
    expect(formatExplanation(explanation, action.tool).endsWith(`\n\n${formatDecision(explanation.decision, action.tool)}`)).toBe(true);
    expect(formatExplanation(explanation, action.tool)).toContain('\n      pass  rewrite\n            r arguments.n  cap_value 1\n');
  });

  it('lists a JSONPath field value by value, bounded, and a redacted value as <redacted>', async () => {
    const output = await text(
      [
        { id: 'mask', rewrite: [{ op: 'mask_field', field: 'arguments.items.0.sku' }] },
        { id: 'skus', assert: { field: '$.arguments.items[*].sku', op: 'regex', value: '^[A-Z]+$' } },
      ],
      { tool: 't', arguments: { items: Array.from({ length: 22 }, (_, index) => ({ sku: index === 1 ? 'bad' : 'OK' })) } },
    );
    expect(output).toContain(
      [
        '      fail  assert $.arguments.items[*].sku matches regex /^[A-Z]+$/',
        '            fail  arguments.items[0].sku = <redacted>',
        '            fail  arguments.items[1].sku = "bad"',
        '            pass  arguments.items[2].sku = "OK"',
      ].join('\n'),
    );
    expect(output).toContain('\n            … and 2 more values\n');
    expect(output).toContain('\n            x arguments.items[0].sku  skus: regex failed at arguments.items[0].sku (value redacted)\n');
    // The tree never quotes the masked field; the decision at the end is check's, which shows what the checks saw.
    expect(output.slice(0, output.indexOf('\n\n'))).not.toContain('(got "***")');
  });

  it('escapes what the action holds, so no value can break a line or drive the terminal', async () => {
    const hostile = 'a\nallow  forged\u001b[2J\u202e';
    const output = await text(
      [
        { id: 'name', assert: { field: 'arguments.name', op: 'eq', value: 'x' } },
        { id: 'keys', assert: { field: '$.arguments.*', op: 'exists' } },
      ],
      {
        tool: `t\r${hostile}`,
        arguments: { name: hostile, [hostile]: 1 },
      },
    );
    // eslint-disable-next-line no-control-regex -- the point is that none is left
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(output).toContain('read "a\\nallow  forged\\u001b[2J\\u202e"');
    expect(output.split('\n').filter((line) => line.startsWith('allow'))).toEqual([]);
  });

  it('shows an error where it happened, and the decision errors under the policy', async () => {
    const output = await text(
      [{ id: 'name', assert: { field: 'arguments.name', op: 'regex', value: '^a' } }],
      { tool: 't', arguments: { name: 'abcdefghijk' } },
      { limits: { maxStringLength: 4 } },
    );
    expect(output).toContain('err   name  error: it could not be evaluated: the verdict follows onError\n');
    expect(output).toContain(
      '      err   assert arguments.name matches regex /^a/  read "abcdefghijk"  regex input of 11 characters exceeds limits.maxStringLength (4)\n',
    );
    expect(output).toContain('      E LIMIT_EXCEEDED  policy "name": regex input of 11 characters exceeds limits.maxStringLength (4)\n');
  });
});
