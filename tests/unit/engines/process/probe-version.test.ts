import { describe, expect, it } from 'vitest';
import { lastLineVersion, probeVersion, versionMatching } from '../../../../src/engines/process/probe-version.js';

// Node itself is the one binary every machine running these tests has.
const probe = {
  command: process.execPath,
  args: ['--version'],
  env: process.env,
  timeoutMs: 30_000,
  installHint: 'install it with "x"',
} as const;

describe('probeVersion', () => {
  it("reports a binary's version", async () => {
    expect(await probeVersion({ ...probe, readVersion: lastLineVersion })).toEqual({ ok: true, version: process.version });
  });

  it('reports a binary that prints no version as unavailable, ending with the install hint', async () => {
    const none = await probeVersion({ ...probe, readVersion: () => undefined });
    expect(none).toEqual({ ok: false, reason: `${process.execPath} --version exited with 0 and no version; install it with "x"` });
    const quiet = await probeVersion({ ...probe, readVersion: () => undefined, mentionNoVersion: false });
    expect(quiet).toEqual({ ok: false, reason: `${process.execPath} --version exited with 0; install it with "x"` });
  });

  it('reports a binary that cannot be run as unavailable, ending with the install hint', async () => {
    const missing = await probeVersion({ ...probe, command: 'tierguard-no-such-engine', readVersion: lastLineVersion });
    expect(missing.ok).toBe(false);
    expect(missing.ok ? '' : missing.reason).toMatch(/tierguard-no-such-engine.*; install it with "x"$/);
  });
});

describe('version readers', () => {
  it('take the last line, or the first capture group of a pattern', () => {
    expect(lastLineVersion('Some banner\n 1.2.3 \n\n')).toBe('1.2.3');
    expect(lastLineVersion('  \n')).toBeUndefined();
    const opa = versionMatching(/^Version:\s*(\S+)/m);
    expect(opa('Version: 1.22.2\nBuild Commit: abc\n')).toBe('1.22.2');
    expect(opa('no version here')).toBeUndefined();
  });
});
