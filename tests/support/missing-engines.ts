import { spawnSync } from 'node:child_process';

/** An engine binary a test needs: how to ask it for its version, and how to install it. */
export interface NeededEngine {
  readonly name: string;
  readonly args: readonly string[];
  readonly install: string;
}

/**
 * Why tests that need `engines` should skip, or `undefined` to run them: the
 * engines that do not answer their version call, and how to install them.
 * Under `TIERGUARD_REQUIRE_ENGINES=1` (CI) it is always `undefined`, so an absent
 * engine fails its tests instead of skipping them.
 */
export function missingEngines(engines: readonly NeededEngine[]): string | undefined {
  if (process.env['TIERGUARD_REQUIRE_ENGINES'] === '1') return undefined;
  const missing = engines.filter(({ name, args }) => {
    const result = spawnSync(name, [...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SEMGREP_ENABLE_VERSION_CHECK: '0' },
    });
    return result.error !== undefined || result.status !== 0;
  });
  if (missing.length === 0) return undefined;
  const names = missing.map(({ name }) => name).join(', ');
  const installs = missing.map(({ install }) => install).join('; ');
  return `not installed: ${names}; to run these tests: ${installs} (or run .ci/install-engines)`;
}
