import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, loadPolicies } from '../../../src/index.js';
import { makeTree, rejectionOf, removeTrees } from './support.js';

afterEach(removeTrees);

const limit = (id: string, value: number) =>
  JSON.stringify({ id, tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value } });

describe('loadPolicies with several sources', () => {
  it('prefixes each source namespace, by default the base name without extension, in the order given', async () => {
    const root = await makeTree({
      'payments/b.json': limit('b', 2),
      'payments/a.json': `[${limit('a', 1)}]`,
      'ops.yaml': 'id: deploy\ntools: [deploy]\n',
      'shell.json': limit('rm', 3),
    });
    const loaded = await loadPolicies([
      join(root, 'shell.json'),
      join(root, 'payments'),
      { path: join(root, 'ops.yaml'), namespace: 'acme/ops' },
    ]);
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['shell/rm', 'payments/a', 'payments/b', 'acme/ops/deploy']);
    expect(loaded.sources).toEqual([
      join(root, 'shell.json'),
      join(root, 'payments/a.json'),
      join(root, 'payments/b.json'),
      join(root, 'ops.yaml'),
    ]);
    expect(loaded.files).toEqual([
      join(root, 'ops.yaml'),
      join(root, 'payments/a.json'),
      join(root, 'payments/b.json'),
      join(root, 'shell.json'),
    ]);
    // Only the id changes: the rest of each definition is as written.
    expect(loaded.definitions[1]).toEqual({ id: 'payments/a', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 1 } });
  });

  it('keeps ids as written for a single path, and for a one-element list prefixes them', async () => {
    const root = await makeTree({ 'payments/a.json': limit('a', 1) });
    expect((await loadPolicies(join(root, 'payments'))).definitions.map((definition) => definition.id)).toEqual(['a']);
    expect((await loadPolicies([join(root, 'payments')])).definitions.map((definition) => definition.id)).toEqual(['payments/a']);
    // A trailing slash names the same folder.
    expect((await loadPolicies([`${join(root, 'payments')}/`])).definitions.map((definition) => definition.id)).toEqual(['payments/a']);
  });

  it('drops only a policy-file extension for the default namespace: a dotted folder keeps its name', async () => {
    const root = await makeTree({ 'acme.v2/a.json': limit('a', 1), 'billing.yml': 'id: b\n' });
    const loaded = await loadPolicies([join(root, 'acme.v2'), join(root, 'billing.yml')]);
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['acme.v2/a', 'billing/b']);
  });

  it('compiles namespaced policies, and violations carry the namespaced id', async () => {
    const root = await makeTree({ 'payments/a.json': limit('limit', 100), 'refunds/a.json': limit('limit', 10) });
    const loaded = await loadPolicies([join(root, 'payments'), join(root, 'refunds')]);
    const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
    const decision = engine.evaluateAuto({ tool: 'pay', arguments: { amount: 50 } });
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(['refunds/limit']);
  });

  it('passes a definition without a string id through unchanged, for createEngine to report', async () => {
    const root = await makeTree({ 'p/a.json': '[{"id": 7, "tools": ["x"]}, "not a policy", null]' });
    const loaded = await loadPolicies([join(root, 'p')]);
    expect(loaded.definitions).toEqual([{ id: 7, tools: ['x'] }, 'not a policy', null]);
    const error = await rejectionOf(createEngine({ policies: loaded.definitions, sources: loaded.sources }));
    expect(error.code).toBe('INVALID_POLICY');
  });

  it('refuses two sources with the same namespace, naming both paths', async () => {
    const root = await makeTree({ 'one/payments/a.json': limit('a', 1), 'two/payments/b.json': limit('b', 1), 'c.json': limit('c', 1) });
    const first = join(root, 'one/payments');
    const second = join(root, 'two/payments');
    const byDefault = await rejectionOf(loadPolicies([first, second]));
    expect(byDefault.code).toBe('INVALID_OPTIONS');
    expect(byDefault.message).toContain(first);
    expect(byDefault.message).toContain(second);
    expect(byDefault.details).toMatchObject({ namespace: 'payments', files: [first, second] });
    const explicit = await rejectionOf(loadPolicies([join(root, 'c.json'), { path: first, namespace: 'c' }]));
    expect(explicit.code).toBe('INVALID_OPTIONS');
    expect(explicit.message).toMatch(/c\.json and .*one\/payments both have namespace "c"/);
  });

  it('refuses namespaces that break the id rule, sources that are not paths, unknown keys and an empty list', async () => {
    const root = await makeTree({ '_private/a.json': limit('a', 1), 'ok/a.json': limit('a', 1) });
    const cases: unknown[] = [
      [{ path: join(root, 'ok'), namespace: '-leading-dash' }],
      [{ path: join(root, 'ok'), namespace: 'has space' }],
      [{ path: join(root, 'ok'), namespace: '' }],
      [join(root, '_private')],
      [{ path: join(root, 'ok'), namespace: 3 }],
      [{ path: join(root, 'ok'), prefix: 'x' }],
      [{ namespace: 'x' }],
      [''],
      [42],
      [],
      42,
    ];
    for (const sources of cases) {
      const error = await rejectionOf(loadPolicies(sources as never));
      expect(error.code, JSON.stringify(sources)).toBe('INVALID_OPTIONS');
    }
    expect((await rejectionOf(loadPolicies([join(root, '_private')]))).message).toMatch(
      /default namespace of .*_private "_private".*give a namespace/,
    );
  });

  it('reports a missing source as IO_ERROR naming it', async () => {
    const root = await makeTree({ 'ok/a.json': limit('a', 1) });
    const error = await rejectionOf(loadPolicies([join(root, 'ok'), join(root, 'missing')]));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toContain(join(root, 'missing'));
  });
});
