import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OTEL_PEER_PACKAGES } from '../../../src/otel/index.js';
import { ROOT, requireBuild } from '../../support/paths.js';

/**
 * The OpenTelemetry API packages are optional peers: `tierguard/otel` imports
 * without them, and making a sink without them names what to install. Run
 * against the built package, with the packages hidden as if not installed.
 */

function runHiding(hidden: string[], script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(
    process.execPath,
    ['--no-warnings', '--import', join(ROOT, 'tests/support/hide-packages.mjs'), '--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HIDE_PACKAGES: hidden.join(',') } },
  );
}

const MAKE_SINK = [
  "const { createOtelAuditSink } = await import('tierguard/otel');",
  'const result = await createOtelAuditSink().then(() => ({ ok: true }), (error) => ({ code: error.code, details: error.details, message: error.message }));',
  'console.log(JSON.stringify(result));',
].join('\n');

describe('tierguard/otel without its optional peer dependencies', () => {
  beforeAll(requireBuild);

  it('declares them optional peers, with the ranges the sink names', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const [name, range] of Object.entries(OTEL_PEER_PACKAGES)) {
      expect(manifest.peerDependencies[name]).toBe(range);
      expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
    // The SDK is the application's choice, not a peer of tierguard.
    expect(Object.keys(manifest.peerDependencies).filter((name) => name.startsWith('@opentelemetry/sdk'))).toEqual([]);
  });

  it('imports the subpath without them, and refuses to make a sink with MISSING_DEPENDENCY naming each one', () => {
    const both = runHiding(['@opentelemetry/api', '@opentelemetry/api-logs'], MAKE_SINK);
    expect(both.status, both.stderr).toBe(0);
    const refused = JSON.parse(both.stdout) as { code: string; details: { packages: string[] }; message: string };
    expect(refused.code).toBe('MISSING_DEPENDENCY');
    expect(refused.details).toEqual({ packages: ['@opentelemetry/api', '@opentelemetry/api-logs'], feature: 'createOtelAuditSink' });
    expect(refused.message).toContain('npm install "@opentelemetry/api@^1.9" "@opentelemetry/api-logs@>=0.200 <1"');

    const one = runHiding(['@opentelemetry/api-logs'], MAKE_SINK);
    expect(JSON.parse(one.stdout)).toMatchObject({ code: 'MISSING_DEPENDENCY', details: { packages: ['@opentelemetry/api-logs'] } });
  });

  it('makes a sink when they are there (the same script, nothing hidden)', () => {
    const run = runHiding([], MAKE_SINK);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true });
  });
});
