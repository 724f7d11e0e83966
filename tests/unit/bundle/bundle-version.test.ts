import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { referencedFiles } from '../../../src/bundle/referenced-files.js';
import { createEngine, loadPolicies } from '../../../src/index.js';
import type { PolicySources } from '../../../src/index.js';
import { makeTree, removeTrees, summaryShapes, writeText } from './support.js';

afterEach(removeTrees);

async function versionOf(sources: PolicySources): Promise<string> {
  const loaded = await loadPolicies(sources);
  return (await createEngine({ policies: loaded.definitions, sources: loaded.sources })).version;
}

const POLICIES = [
  { id: 'payments.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } },
  { id: 'support.summary', tools: ['ticket'], shapesFile: 'shapes/summary.ttl' },
];

describe('the policy set version', () => {
  it('changes with an edit to a policy file and with an edit to a referenced shapes file', async () => {
    const root = await makeTree({ 'policies.json': JSON.stringify(POLICIES), 'shapes/summary.ttl': summaryShapes(80) });
    const original = await versionOf(root);
    expect(original).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await versionOf(root)).toBe(original);

    await writeText(
      join(root, 'policies.json'),
      JSON.stringify([{ ...POLICIES[0], assert: { field: 'arguments.amount', op: 'lte', value: 101 } }, POLICIES[1]]),
    );
    const policyEdited = await versionOf(root);
    expect(policyEdited).not.toBe(original);

    await writeText(join(root, 'shapes/summary.ttl'), summaryShapes(81));
    const shapesEdited = await versionOf(root);
    expect(shapesEdited).not.toBe(policyEdited);
    expect(shapesEdited).not.toBe(original);

    // Back to the original content, back to the original version: the hash is of content, not of history.
    await writeText(join(root, 'policies.json'), JSON.stringify(POLICIES));
    await writeText(join(root, 'shapes/summary.ttl'), summaryShapes(80));
    expect(await versionOf(root)).toBe(original);
  });

  it('does not change with key order, whitespace or the format the policy is written in', async () => {
    const root = await makeTree({ 'a/policies.json': JSON.stringify(POLICIES), 'a/shapes/summary.ttl': summaryShapes(80) });
    const original = await versionOf(join(root, 'a'));
    const reordered = [
      { assert: { value: 100, op: 'lte', field: 'arguments.amount' }, tools: ['pay'], id: 'payments.limit' },
      { shapesFile: 'shapes/summary.ttl', id: 'support.summary', tools: ['ticket'] },
    ];
    await writeText(join(root, 'a/policies.json'), `\n\n${JSON.stringify(reordered, null, 4)}\n`);
    expect(await versionOf(join(root, 'a'))).toBe(original);

    const yaml = [
      '# the same two policies, in YAML',
      '- id: payments.limit',
      '  tools: [pay]',
      '  assert: { field: arguments.amount, op: lte, value: 100 }',
      '- tools:',
      '    - ticket',
      '  id: support.summary',
      '  shapesFile: shapes/summary.ttl',
      '',
    ].join('\n');
    await writeText(join(root, 'b/policies.yaml'), yaml);
    await writeText(join(root, 'b/shapes/summary.ttl'), summaryShapes(80));
    expect(await versionOf(join(root, 'b'))).toBe(original);
  });

  it('changes with a namespace, since ids are part of the policy set', async () => {
    const root = await makeTree({ 'payments/p.json': JSON.stringify(POLICIES[0]) });
    const plain = await versionOf(join(root, 'payments'));
    const namespaced = await versionOf([join(root, 'payments')]);
    expect(namespaced).not.toBe(plain);
    expect(await versionOf([{ path: join(root, 'payments'), namespace: 'payments' }])).toBe(namespaced);
  });
});

describe('referencedFiles', () => {
  it('resolves a shapesFile against the directory of the policy file it came from', () => {
    expect(referencedFiles({ id: 'p', shapesFile: 'shapes/a.ttl' }, '/srv/policies/payments/p.json')).toEqual([
      { pointer: '/shapesFile', path: '/srv/policies/payments/shapes/a.ttl' },
    ]);
    expect(referencedFiles({ id: 'p', shapesFile: '/etc/shapes.ttl' }, '/srv/p.yaml')).toEqual([
      { pointer: '/shapesFile', path: '/etc/shapes.ttl' },
    ]);
  });

  it('resolves against the working directory for a policy given in code, as the engine does', () => {
    expect(referencedFiles({ id: 'p', shapesFile: 'shapes/a.ttl' }, undefined)).toEqual([
      { pointer: '/shapesFile', path: resolve('shapes/a.ttl') },
    ]);
  });

  it('lists nothing for a definition without references or a malformed one', () => {
    for (const definition of [{ id: 'p' }, { id: 'p', shapesFile: '' }, { id: 'p', shapesFile: 3 }, null, 'p', [{ shapesFile: 'a.ttl' }]]) {
      expect(referencedFiles(definition, '/srv/p.json')).toEqual([]);
    }
  });
});
