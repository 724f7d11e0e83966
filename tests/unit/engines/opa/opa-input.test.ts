import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readOpaInput } from '../../../../src/engines/opa/opa-input.js';

const plan = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/plan/${name}`, import.meta.url));

// The server and Wasm modes read input here instead of materialising a file; they must refuse what the CLI mode refuses.
describe('readOpaInput', () => {
  it('refuses JSON with a repeated key, as a file and as text, naming the key and where it is', async () => {
    for (const artifact of [
      { path: plan('s3-public-then-private.tfplan.json') },
      { content: '{"acl":"public-read",\n "acl":"private"}', format: 'json' as const },
    ]) {
      const read = await readOpaInput(artifact, 1_000_000);
      expect(read.ok).toBe(false);
      if (read.ok) continue;
      expect(read.error.code).toBe('INVALID_ARTIFACT');
      expect(read.error.message).toMatch(/line \d+, column \d+: duplicate key "acl" at .*acl/);
    }
  });

  it('refuses YAML with a repeated key, naming it', async () => {
    const read = await readOpaInput({ content: 'acl: public-read\nacl: private\n', format: 'yaml' }, 1_000);
    expect(read).toEqual({
      ok: false,
      error: { code: 'INVALID_ARTIFACT', message: 'artifact.yaml is not valid YAML: line 2, column 1: duplicate key "acl"' },
    });
  });

  it('still reads JSON and YAML without repeated keys', async () => {
    expect(await readOpaInput({ path: plan('s3-private.tfplan.json') }, 1_000_000)).toMatchObject({ ok: true });
    expect(await readOpaInput({ content: 'acl: private\n', format: 'yaml' }, 1_000)).toEqual({
      ok: true,
      input: { json: '{"acl":"private"}', shownAs: 'artifact.yaml' },
    });
  });
});
