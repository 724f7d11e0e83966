import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TierguardError, loadPolicies } from '../../../src/index.js';
import { makeTree as tree, removeTrees } from './support.js';

afterEach(removeTrees);

describe('loadPolicies', () => {
  it('reads a directory recursively in sorted order, one policy or an array per file', async () => {
    const root = await tree({
      'b.json': '{"id":"b"}',
      'a.json': '[{"id":"a1"},{"id":"a2"}]',
      'nested/c.json': '{"id":"c"}',
      'notes.txt': 'not a policy',
      'fixtures/x/deny/bad.json': '{ not json',
      '.hidden/d.json': '{"id":"d"}',
      'fixtures/e.yaml': 'id: e',
      'node_modules/f.json': '{"id":"f"}',
      'nested/g.yml': 'id: g',
      'nested/h.yaml.bak': 'id: h',
    });
    const loaded = await loadPolicies(root);
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['a1', 'a2', 'b', 'c', 'g']);
    expect(loaded.sources).toEqual([
      join(root, 'a.json'),
      join(root, 'a.json'),
      join(root, 'b.json'),
      join(root, 'nested/c.json'),
      join(root, 'nested/g.yml'),
    ]);
    expect(loaded.files).toEqual([join(root, 'a.json'), join(root, 'b.json'), join(root, 'nested/c.json'), join(root, 'nested/g.yml')]);
  });

  it('reads a single file', async () => {
    const root = await tree({ 'one.json': '{"id":"one"}' });
    expect((await loadPolicies(join(root, 'one.json'))).definitions).toEqual([{ id: 'one' }]);
  });

  it('names the file in IO_ERROR for malformed JSON, a missing path and an oversized file', async () => {
    const root = await tree({ 'bad.json': '{"id": ', 'big.json': `[${'{"id":"x"},'.repeat(100)}{"id":"y"}]` });
    await expect(loadPolicies(join(root, 'bad.json'))).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(loadPolicies(join(root, 'missing'))).rejects.toThrow(/missing: cannot read: no such file or directory/);
    await expect(loadPolicies(join(root, 'big.json'), { maxFileBytes: 100 })).rejects.toThrow(/exceeds limits\.maxFileBytes \(100\)/);
    await expect(loadPolicies(join(root, 'bad.json'))).rejects.toBeInstanceOf(TierguardError);
  });
});
