import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPolicyBundle, createEngine, loadPolicies } from '../../../src/index.js';
import type { EngineAdapter, PolicyDefinition } from '../../../src/index.js';
import { makeTree, rejectionOf, removeTrees } from '../bundle/support.js';

/**
 * `loadPolicies` + `createEngine` name the file of each invalid policy, as the
 * CLI always has: the loader remembers each definition's file, so the engine can
 * say where a policy it rejects was written, whatever the caller did with the list.
 */

afterEach(removeTrees);

const good = { id: 'good', tools: ['t'], assert: { field: 'arguments.a', op: 'eq', value: 1 } };
const typo = { id: 'typo', tools: ['t'], assert: { field: 'arguments.a', op: 'gte2', value: 1 } };
const alsoBad = { id: 'also-bad', tools: ['t'], effect: 'block' };

/** A tree of policy files: `a.json` holds a valid policy, `b.json` the invalid ones given. */
async function policyTree(invalid: readonly object[]): Promise<{ root: string; a: string; b: string }> {
  const root = await makeTree({ 'a.json': JSON.stringify([good]), 'b.json': JSON.stringify(invalid) });
  return { root, a: join(root, 'a.json'), b: join(root, 'b.json') };
}

describe('INVALID_POLICY from loaded definitions names their files', () => {
  it('names the file in the message and details.files, with no sources option', async () => {
    const { root, b } = await policyTree([typo]);
    const loaded = await loadPolicies(root);
    const error = await rejectionOf(createEngine({ policies: loaded.definitions }));
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toBe(
      `${b}: policy "typo" /assert/op: must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists (got "gte2") (did you mean "gte"?)`,
    );
    expect(error.details).toMatchObject({ policy: 'policy "typo"', policyIndex: 1, files: [b] });
    expect((error.cause as Error).message.startsWith('policy "typo"')).toBe(true);
  });

  it('still names it once the list is filtered, reordered or spread into a new one', async () => {
    const { root, b } = await policyTree([typo]);
    const loaded = await loadPolicies(root);
    const reordered = [...loaded.definitions].reverse();
    for (const policies of [reordered, loaded.definitions.filter((definition) => definition.id !== 'good')]) {
      const error = await rejectionOf(createEngine({ policies }));
      expect(error.details.files).toEqual([b]);
      expect(error.message.startsWith(`${b}: policy "typo"`)).toBe(true);
    }
  });

  it('lists each file once, in policy order, for several invalid policies', async () => {
    const root = await makeTree({
      'a.json': JSON.stringify([good, alsoBad]),
      'b.json': JSON.stringify([typo, { ...typo, id: 'typo-2' }]),
    });
    const loaded = await loadPolicies(root);
    const error = await rejectionOf(createEngine({ policies: loaded.definitions }));
    expect(error.details.files).toEqual([join(root, 'a.json'), join(root, 'b.json')]);
    expect(error.message.startsWith(`${join(root, 'a.json')}, ${join(root, 'b.json')}: 3 policies are invalid:\n`)).toBe(true);
    expect((error.details.errors as { policyIndex: number }[]).map((detail) => detail.policyIndex)).toEqual([1, 2, 3]);
  });

  it('names a namespaced source by the file the policy was read from', async () => {
    const { root, b } = await policyTree([typo]);
    const loaded = await loadPolicies([{ path: root, namespace: 'team' }]);
    const error = await rejectionOf(createEngine({ policies: loaded.definitions }));
    expect(error.message.startsWith(`${b}: policy "team/typo"`)).toBe(true);
  });

  it('names a bundle policy by the bundle and its source inside it, not by the private copy', async () => {
    const root = await makeTree({
      'policies/p.json': JSON.stringify({ id: 'k', enforcement: [{ engine: 'kyverno', policy: '../rules/rule.yaml' }] }),
      'rules/rule.yaml': 'x: 1\n',
    });
    const kyverno: EngineAdapter = {
      name: 'kyverno',
      available: () => Promise.resolve({ ok: true }),
      evaluate: () => Promise.reject(new Error('not run in this test')),
    };
    const built = await buildPolicyBundle(join(root, 'policies'), { adapters: [kyverno] });
    const file = join(await makeTree({}), 'bundle.json');
    await writeFile(file, built.text);
    const loaded = await loadPolicies(file);
    // Without the adapter the bundle built with, its binding names an unknown engine.
    const error = await rejectionOf(createEngine({ policies: loaded.definitions, sources: loaded.sources }));
    expect(error.details.files).toEqual([`${file} (policies/p.json)`]);
    expect(error.message.startsWith(`${file} (policies/p.json): policy "k" /enforcement/0/engine: no adapter for engine "kyverno"`)).toBe(
      true,
    );
  });

  it('falls back to the sources option for definitions the loader did not read', async () => {
    const error = await rejectionOf(createEngine({ policies: [good, typo] as PolicyDefinition[], sources: ['a.json', 'b.json'] }));
    expect(error.details.files).toEqual(['b.json']);
    expect(error.message.startsWith('b.json: policy "typo"')).toBe(true);
  });

  it('leaves the error as it was when no file is known', async () => {
    const error = await rejectionOf(createEngine({ policies: [good, typo] as PolicyDefinition[] }));
    expect(error.message.startsWith('policy "typo" /assert/op: ')).toBe(true);
    expect(Object.hasOwn(error.details, 'files')).toBe(false);
    expect(error.cause).toBeUndefined();
  });

  it('adds no key to the definitions it marks', async () => {
    const { root } = await policyTree([typo]);
    const loaded = await loadPolicies(root);
    expect(loaded.definitions.map((definition) => Object.keys(definition))).toEqual([Object.keys(good), Object.keys(typo)]);
    expect(JSON.parse(JSON.stringify(loaded.definitions))).toEqual([good, typo]);
  });
});
