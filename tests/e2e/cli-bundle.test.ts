import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySetVersion } from '../../src/policy/policy-version.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard bundle` and a bundle file given to `--policies`, as a user runs
 * them: the built CLI, the shipped examples, and `tierguard mcp` on a bundle
 * that is replaced while an SDK client pins the version it first saw.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = join(ROOT, 'examples', 'policies');
const ENGINE_POLICIES = join(ROOT, 'examples', 'engines', 'policies');
const DROP_TABLE = join(ROOT, 'examples', 'actions', 'drop-table.json');
const DEADLINE_MS = 30_000;
let directory = '';

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-bundle-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard bundle', () => {
  it('writes the same bytes twice, stating the version check reports for the directory', () => {
    const first = run(['bundle', POLICIES, '--out', join(directory, 'a.json')]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*a\.json: sha256:[0-9a-f]{64} \(\d+ policies, 1 referenced files\)\n$/);
    expect(run(['bundle', POLICIES, '--out', join(directory, 'b.json')]).status).toBe(0);
    const text = readFileSync(join(directory, 'a.json'), 'utf8');
    expect(readFileSync(join(directory, 'b.json'), 'utf8')).toBe(text);
    expect(text).not.toContain(ROOT);

    const fromDirectory = run(['check', '--policies', POLICIES, '--action', DROP_TABLE, '--json']);
    const fromBundle = run(['check', '--policies', join(directory, 'a.json'), '--action', DROP_TABLE, '--json']);
    expect(fromBundle.status).toBe(fromDirectory.status);
    const decision = JSON.parse(fromBundle.stdout) as { policyVersion: string; verdict: string };
    expect(decision.policyVersion).toBe((JSON.parse(text) as { version: string }).version);
    expect(decision).toEqual(JSON.parse(fromDirectory.stdout));
  });

  it('bundles the set a config serves, merged by precedence, and decides from it as from the config', () => {
    const config = join(ROOT, 'examples', 'config', 'tierguard.config.yaml');
    const out = join(directory, 'config.json');
    const result = run(['bundle', '--config', config, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { policies: { id: string }[] };
    const fromConfig = run(['check', '--config', config, '--action', DROP_TABLE, '--json']);
    const fromBundle = run(['check', '--policies', out, '--action', DROP_TABLE, '--json']);
    expect(JSON.parse(fromBundle.stdout)).toEqual(JSON.parse(fromConfig.stdout));
    expect(bundle.policies.every(({ id }) => id.includes('/'))).toBe(true);
    expect(run(['bundle', POLICIES, '--config', config, '--out', out]).status).toBe(2);
  });

  it('bundles engine bindings whose files lie beside the policy folder', () => {
    const result = run(['bundle', ENGINE_POLICIES, '--out', join(directory, 'engines.json')]);
    expect(result.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(directory, 'engines.json'), 'utf8')) as { sources: string[]; files: object };
    expect(bundle.sources[0]).toMatch(/^policies\//);
    expect(Object.keys(bundle.files)).toContain('rules/opa/s3.rego');
  });

  it('is exit 2 for a tampered bundle (INVALID_BUNDLE), and a usage error without --out', () => {
    const bundle = JSON.parse(readFileSync(join(directory, 'a.json'), 'utf8')) as { policies: { id: string }[] };
    bundle.policies.pop();
    writeFileSync(join(directory, 'tampered.json'), JSON.stringify(bundle));
    const tampered = run(['check', '--policies', join(directory, 'tampered.json'), '--action', DROP_TABLE]);
    expect(tampered.status).toBe(2);
    expect(tampered.stdout).toBe('');
    expect(tampered.stderr).toMatch(/^tierguard: INVALID_BUNDLE: .*tampered\.json: invalid bundle at \/sources/);
    // A bundle whose hash holds but whose policy does not compile names the bundle and the policy's file in it.
    const policies = [{ id: 'bad', tools: ['t'], assert: { field: 'a', op: 'nope', value: 1 } }];
    const invalid = { tierguardBundle: 1, version: policySetVersion(policies), policies, sources: ['team/bad.json'], files: {} };
    writeFileSync(join(directory, 'invalid.json'), JSON.stringify(invalid));
    const rejected = run(['check', '--policies', join(directory, 'invalid.json'), '--action', DROP_TABLE]);
    expect(rejected.status).toBe(2);
    expect(rejected.stderr).toMatch(/^tierguard: INVALID_POLICY: .*invalid\.json \(team\/bad\.json\): /);
    const usage = run(['bundle', POLICIES]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--out is required');
  });
});

describe('tierguard mcp on a bundle file', () => {
  it('reloads a replaced bundle and still answers the version a client pinned', async () => {
    const tree = join(directory, 'tree');
    cpSync(POLICIES, tree, { recursive: true });
    const file = join(directory, 'served.json');
    expect(run(['bundle', tree, '--out', file]).status).toBe(0);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--policies', file, '--reload-interval', '0.05'],
      cwd: ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
    await client.connect(transport);
    try {
      const scope = async (args: Record<string, unknown> = {}) =>
        (await client.callTool({ name: 'describe_scope', arguments: args })).structuredContent as { version: string; policyIds: string[] };
      const first = await scope();
      expect(first.policyIds).toContain('database.no-drop');

      // A new bundle without the database policies, renamed into place as `tierguard bundle` does.
      rmSync(join(tree, 'database.json'));
      expect(run(['bundle', tree, '--out', join(directory, 'next.json')]).status).toBe(0);
      renameSync(join(directory, 'next.json'), file);
      const deadline = Date.now() + DEADLINE_MS;
      let current = await scope();
      while (current.version === first.version && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        current = await scope();
      }
      expect(current.version).not.toBe(first.version);
      expect(current.policyIds).not.toContain('database.no-drop');

      const pinned = await client.callTool({
        name: 'validate',
        arguments: { action: JSON.parse(readFileSync(DROP_TABLE, 'utf8')), version: first.version },
      });
      expect(pinned.isError).toBeFalsy();
      expect(pinned.structuredContent).toMatchObject({ verdict: 'deny', policyVersion: first.version });
      const typo = await client.callTool({ name: 'get_constraints', arguments: { version: 'sha256:typo' } });
      expect(typo.isError).toBe(true);
      expect(JSON.stringify(typo.content)).toContain(`it holds ${current.version}, ${first.version}`);
    } finally {
      await client.close();
    }
  });
});
