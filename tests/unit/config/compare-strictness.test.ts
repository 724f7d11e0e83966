import { describe, expect, it } from 'vitest';
import { compareStrictness } from '../../../src/config/compare-strictness.js';

/**
 * The strictness table of "Sources and precedence": each row a higher and a
 * lower definition, the relation expected, and for a refusal the aspect that
 * must be named. Most rows are also run the other way round, where a weaker
 * change reversed must tighten.
 */
const base = { id: 'org/cap', tools: ['payments.*'] };
const cap = (op: string, value: unknown) => ({ ...base, assert: { field: 'arguments.amount', op, value } });

type Row = readonly [string, Record<string, unknown>, Record<string, unknown>, 'identical' | 'refines' | 'weaker' | 'undecidable', string?];

const ROWS: readonly Row[] = [
  ['identical definitions (ids aside)', base, { ...base, id: 'team/cap' }, 'identical'],
  ['only neutral keys differ', base, { ...base, description: 'x', title: 'T', guidance: { do: ['a'] }, message: 'm' }, 'refines'],
  // severity, derived from effect when absent
  ['severity hard -> soft', { ...base, severity: 'hard' }, { ...base, severity: 'soft' }, 'weaker', 'severity'],
  ['severity soft -> advisory', { ...base, severity: 'soft' }, { ...base, severity: 'advisory' }, 'weaker', 'severity'],
  ['severity hard -> advisory', { ...base, severity: 'hard' }, { ...base, severity: 'advisory' }, 'weaker', 'severity'],
  ['absent (deny = hard) -> soft', base, { ...base, severity: 'soft' }, 'weaker', 'severity'],
  ['effect warn (soft) -> hard', { ...base, effect: 'warn' }, { ...base, severity: 'hard' }, 'refines'],
  ['unreadable severity', { ...base, severity: 'hrad' }, { ...base, severity: 'hard' }, 'undecidable', 'severity'],
  // effect
  ['effect deny -> escalate', { ...base, effect: 'deny' }, { ...base, effect: 'escalate' }, 'weaker', 'effect'],
  ['effect escalate -> warn', { ...base, effect: 'escalate' }, { ...base, effect: 'warn' }, 'weaker', 'effect'],
  ['effect default deny -> warn', base, { ...base, effect: 'warn' }, 'weaker', 'effect'],
  ['effect warn -> escalate', { ...base, effect: 'warn' }, { ...base, effect: 'escalate' }, 'refines'],
  ['effect escalate -> deny', { ...base, effect: 'escalate' }, base, 'refines'],
  // mode
  ['mode enforce -> monitor', base, { ...base, mode: 'monitor' }, 'weaker', 'mode'],
  ['mode monitor -> enforce', { ...base, mode: 'monitor' }, { ...base, mode: 'enforce' }, 'refines'],
  ['mode explicit enforce = absent', base, { ...base, mode: 'enforce' }, 'refines'],
  // tools
  ['tools superset', base, { ...base, tools: ['payments.*', 'refunds.*'] }, 'refines'],
  ['tools absent (every tool)', base, { id: 'x' }, 'refines'],
  ['tools subset', { ...base, tools: ['a', 'b'] }, { ...base, tools: ['a'] }, 'undecidable', 'tools'],
  ['tools other patterns', base, { ...base, tools: ['payments.transfer'] }, 'undecidable', 'tools'],
  ['tools every -> a list', { id: 'x' }, { id: 'x', tools: ['a'] }, 'weaker', 'tools'],
  ['tools every -> stars', { id: 'x' }, { id: 'x', tools: ['**'] }, 'undecidable', 'tools'],
  // artifacts, the same rule
  ['artifacts superset', { ...base, artifacts: ['*.tf'] }, { ...base, artifacts: ['*.tf', '*.tfvars'] }, 'refines'],
  ['artifacts other', { ...base, artifacts: ['*.tf'] }, { ...base, artifacts: ['main.tf'] }, 'undecidable', 'artifacts'],
  // when
  [
    'when identical',
    { ...base, when: { field: 'a', op: 'eq', value: 1 } },
    { ...base, when: { field: 'a', op: 'eq', value: 1 } },
    'identical',
  ],
  [
    'when changed',
    { ...base, when: { field: 'a', op: 'eq', value: 1 } },
    { ...base, when: { field: 'a', op: 'eq', value: 2 } },
    'undecidable',
    'when',
  ],
  ['when added', base, { ...base, when: { field: 'a', op: 'eq', value: 1 } }, 'undecidable', 'when'],
  ['when removed', { ...base, when: { field: 'a', op: 'eq', value: 1 } }, base, 'undecidable', 'when'],
  // assert bounds
  ['lte larger', cap('lte', 100), cap('lte', 200), 'weaker', 'assert'],
  ['lte smaller', cap('lte', 200), cap('lte', 100), 'refines'],
  ['lt larger', cap('lt', 100), cap('lt', 101), 'weaker', 'assert'],
  ['lt smaller', cap('lt', 100), cap('lt', 50), 'refines'],
  ['gte smaller', cap('gte', 10), cap('gte', 5), 'weaker', 'assert'],
  ['gte larger', cap('gte', 5), cap('gte', 10), 'refines'],
  ['gt smaller', cap('gt', 10), cap('gt', 9), 'weaker', 'assert'],
  ['gt larger', cap('gt', 9), cap('gt', 10), 'refines'],
  ['in more values', cap('in', ['a']), cap('in', ['a', 'b']), 'weaker', 'assert'],
  ['in fewer values', cap('in', ['a', 'b']), cap('in', ['a']), 'refines'],
  ['in other values', cap('in', ['a']), cap('in', ['b']), 'weaker', 'assert'],
  ['not_in fewer values', cap('not_in', ['a', 'b']), cap('not_in', ['a']), 'weaker', 'assert'],
  ['not_in more values', cap('not_in', ['a']), cap('not_in', ['a', 'b']), 'refines'],
  ['lte on strings', cap('lte', 'b'), cap('lte', 'c'), 'undecidable', 'assert'],
  ['lte became lt', cap('lte', 100), cap('lt', 100), 'undecidable', 'assert'],
  ['eq changed', cap('eq', 1), cap('eq', 2), 'undecidable', 'assert'],
  ['regex changed', cap('regex', '^a'), cap('regex', '^b'), 'undecidable', 'assert'],
  ['another field', cap('lte', 100), { ...base, assert: { field: 'arguments.total', op: 'lte', value: 100 } }, 'undecidable', 'assert'],
  [
    'valueRef',
    cap('lte', 100),
    { ...base, assert: { field: 'arguments.amount', op: 'lte', valueRef: 'context.cap' } },
    'undecidable',
    'assert',
  ],
  [
    'quantifier changed',
    cap('lte', 100),
    { ...base, assert: { field: 'arguments.amount', op: 'lte', value: 100, quantifier: 'any' } },
    'undecidable',
    'assert',
  ],
  [
    'all with an extra conjunct',
    cap('lte', 100),
    { ...base, assert: { all: [cap('lte', 100).assert, { field: 'b', op: 'eq', value: 1 }] } },
    'refines',
  ],
  [
    'all with a tighter conjunct',
    { ...base, assert: { all: [cap('lte', 100).assert, { field: 'b', op: 'eq', value: 1 }] } },
    { ...base, assert: { all: [{ field: 'b', op: 'eq', value: 1 }, cap('lte', 50).assert] } },
    'refines',
  ],
  [
    'all missing a conjunct',
    { ...base, assert: { all: [cap('lte', 100).assert, { field: 'b', op: 'eq', value: 1 }] } },
    cap('lte', 100),
    'undecidable',
    'assert',
  ],
  [
    'all with a wider conjunct',
    { ...base, assert: { all: [cap('lte', 100).assert] } },
    { ...base, assert: { all: [cap('lte', 500).assert, { field: 'b', op: 'eq', value: 1 }] } },
    'weaker',
    'assert',
  ],
  [
    'any changed',
    { ...base, assert: { any: [{ field: 'a', op: 'eq', value: 1 }] } },
    {
      ...base,
      assert: {
        any: [
          { field: 'a', op: 'eq', value: 1 },
          { field: 'b', op: 'eq', value: 1 },
        ],
      },
    },
    'undecidable',
    'assert',
  ],
  [
    'not changed',
    { ...base, assert: { not: { field: 'a', op: 'eq', value: 1 } } },
    { ...base, assert: { not: { field: 'a', op: 'eq', value: 2 } } },
    'undecidable',
    'assert',
  ],
  ['assert removed', { ...cap('lte', 100), require: ['arguments.amount'] }, { ...base, require: ['arguments.amount'] }, 'weaker', 'assert'],
  ['assert added', { ...base, require: ['a'] }, { ...cap('lte', 100), require: ['a'] }, 'refines'],
  // require
  ['require missing a field', { ...base, require: ['a', 'b'] }, { ...base, require: ['a'] }, 'weaker', 'require'],
  ['require more fields', { ...base, require: ['a'] }, { ...base, require: ['a', 'b'] }, 'refines'],
  // outright policies (violated whenever they apply)
  ['outright -> with checks', base, cap('lte', 100), 'weaker', 'checks'],
  ['with checks -> outright', cap('lte', 100), base, 'refines'],
  // formal tier and rewrites: only identical
  [
    'shape changed',
    { ...base, shape: { property: [{ path: 'a', minCount: 1 }] } },
    { ...base, shape: { property: [{ path: 'a', minCount: 2 }] } },
    'undecidable',
    'shape',
  ],
  [
    'shape identical',
    { ...base, shape: { property: [{ path: 'a', minCount: 1 }] } },
    { ...base, shape: { property: [{ path: 'a', minCount: 1 }] } },
    'identical',
  ],
  ['shapesFile changed', { ...base, shapesFile: 'a.ttl' }, { ...base, shapesFile: 'b.ttl' }, 'undecidable', 'shapesFile'],
  [
    'rewrite changed',
    { ...base, rewrite: [{ op: 'set', path: 'a', value: 1 }] },
    { ...base, rewrite: [{ op: 'set', path: 'a', value: 2 }] },
    'undecidable',
    'rewrite',
  ],
  [
    'rewrite removed',
    { ...base, rewrite: [{ op: 'set', path: 'a', value: 1 }], require: ['a'] },
    { ...base, require: ['a'] },
    'undecidable',
    'rewrite',
  ],
  [
    'priority changed with rewrites',
    { ...base, rewrite: [{ op: 'set', path: 'a', value: 1 }] },
    { ...base, rewrite: [{ op: 'set', path: 'a', value: 1 }], priority: 5 },
    'undecidable',
    'priority',
  ],
  ['priority changed without rewrites', { ...base, require: ['a'] }, { ...base, require: ['a'], priority: 5 }, 'refines'],
  ['on changed', { ...base, on: 'request' }, { ...base, on: 'response' }, 'undecidable', 'on'],
  ['scope changed', { ...base, scope: { providers: ['aws'] } }, { ...base, scope: { providers: ['gcp'] } }, 'undecidable', 'scope'],
  ['an unknown key differs', base, { ...base, futureKey: 1 }, 'undecidable', 'futureKey'],
  // enforcement bindings
  [
    'binding missing',
    { ...base, enforcement: [{ engine: 'opa', policy: 'p.rego' }] },
    { ...base, enforcement: [], require: ['a'] },
    'weaker',
    'enforcement',
  ],
  [
    'binding of another engine',
    { ...base, enforcement: [{ engine: 'opa', policy: 'p.rego' }] },
    { ...base, enforcement: [{ engine: 'conftest', policy: 'p.rego' }] },
    'weaker',
    'enforcement',
  ],
  [
    'binding added',
    { ...base, enforcement: [{ engine: 'opa', policy: 'p.rego' }] },
    {
      ...base,
      enforcement: [
        { engine: 'opa', policy: 'p.rego' },
        { engine: 'semgrep', policy: 's.yaml' },
      ],
    },
    'refines',
  ],
  [
    'binding with another query',
    { ...base, enforcement: [{ engine: 'opa', policy: 'p.rego', query: 'data.a' }] },
    { ...base, enforcement: [{ engine: 'opa', policy: 'p.rego', query: 'data.b' }] },
    'undecidable',
    'enforcement',
  ],
];

const NOT_REVERSIBLE: ReadonlySet<string> = new Set([
  'in other values',
  'binding of another engine',
  'binding missing',
  'all with a wider conjunct',
]);

describe('compareStrictness', () => {
  it.each(ROWS)('%s', (_name, higher, lower, relation, aspect) => {
    const result = compareStrictness(higher, lower);
    expect(result.relation).toBe(relation);
    if (aspect === undefined) expect(result.reasons).toEqual([]);
    else expect(result.reasons.map((reason) => reason.aspect)).toContain(aspect);
  });

  // Every decidably weaker change, reversed, tightens: the table is consistent in both directions. (The rows left out
  // change a second thing too, which reversed is a loss of its own: other values, another engine, a dropped field.)
  it.each(ROWS.filter((row) => row[3] === 'weaker' && !NOT_REVERSIBLE.has(row[0])))('reversed: %s', (_name, higher, lower) => {
    expect(compareStrictness(lower, higher).relation).toBe('refines');
  });

  it('names every reason when several aspects relax', () => {
    const result = compareStrictness(
      { ...cap('lte', 100), severity: 'hard' },
      { ...cap('lte', 200), severity: 'soft', effect: 'warn', mode: 'monitor' },
    );
    expect(result.relation).toBe('weaker');
    expect(result.reasons.map((reason) => reason.aspect).sort()).toEqual(['assert', 'effect', 'mode', 'severity']);
    expect(result.reasons.find((reason) => reason.aspect === 'assert')?.message).toMatch(/arguments\.amount lte 100 became lte 200/);
  });

  it('is weaker, not undecidable, when one aspect is weaker and another undecidable', () => {
    const result = compareStrictness(base, { ...base, mode: 'monitor', when: { field: 'a', op: 'eq', value: 1 } });
    expect(result.relation).toBe('weaker');
    expect(result.reasons.map((reason) => reason.verdict).sort()).toEqual(['undecidable', 'weaker']);
  });

  it('compares relative paths as the files they name', () => {
    const higher = { ...base, shapesFile: 'shapes.ttl', enforcement: [{ engine: 'opa', policy: 'p.rego' }] };
    expect(compareStrictness(higher, { ...higher }, { higherFile: '/org/policy.json', lowerFile: '/org/other.json' }).relation).toBe(
      'identical',
    );
    const elsewhere = compareStrictness(higher, { ...higher }, { higherFile: '/org/policy.json', lowerFile: '/team/policy.json' });
    expect(elsewhere.relation).toBe('weaker');
    expect(elsewhere.reasons.map((reason) => reason.aspect).sort()).toEqual(['enforcement', 'shapesFile']);
  });

  it.each([
    [null, base],
    [base, 'a string'],
    [[base], base],
  ])('is undecidable, never a crash, for a definition that is not an object (%#)', (higher, lower) => {
    expect(compareStrictness(higher, lower).relation).toBe('undecidable');
  });

  it('does not crash on hostile values inside a definition', () => {
    expect(
      compareStrictness({ ...base, tools: 'x', require: 5, enforcement: {} }, { ...base, tools: [1], require: [{}], enforcement: 'x' })
        .relation,
    ).toBe('undecidable');
  });
});
