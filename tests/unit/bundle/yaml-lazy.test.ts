import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Yaml from 'yaml';
import { loadPolicies } from '../../../src/index.js';
import { makeTree, removeTrees } from './support.js';

// Records when anything imports the yaml package, and passes the real one through.
const imports = vi.hoisted(() => ({ yaml: 0 }));
vi.mock('yaml', async (importOriginal) => {
  imports.yaml += 1;
  return importOriginal<typeof Yaml>();
});

afterAll(removeTrees);

// In this order, in one module graph: the yaml package is imported once at most,
// so the JSON-only load must come first for its count to mean anything.
describe('the yaml package', () => {
  it('is not imported by loading JSON policies, nor by importing tierguard', async () => {
    const root = await makeTree({ 'a.json': '{"id":"a"}', 'nested/b.json': '[{"id":"b"}]' });
    const loaded = await loadPolicies(root);
    expect(loaded.definitions).toHaveLength(2);
    expect(imports.yaml).toBe(0);
  });

  it('is imported when a YAML file is found (the mock above does see imports)', async () => {
    const root = await makeTree({ 'a.json': '{"id":"a"}', 'b.yaml': 'id: b\n' });
    const loaded = await loadPolicies(root);
    expect(loaded.definitions).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(imports.yaml).toBe(1);
  });
});
