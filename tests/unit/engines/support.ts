import { expect } from 'vitest';
import { TEMP_DIR_PREFIX } from '../../../src/engines/process/temp-dir.js';
import type { EngineAdapter } from '../../../src/engines/types.js';

/**
 * Why tests of a real engine must skip here, or `undefined` when they run: the
 * engine is available, or `TIERGUARD_REQUIRE_ENGINES=1` asks for it (then the
 * tests run and fail with the adapter's ENGINE_UNAVAILABLE, as CI should).
 */
export async function engineSkipReason(adapter: EngineAdapter, install: string): Promise<string | undefined> {
  const availability = await adapter.available();
  if (availability.ok || process.env['TIERGUARD_REQUIRE_ENGINES'] === '1') return undefined;
  return `${adapter.name} is not available (${availability.reason ?? 'no reason given'}); to run these tests: ${install}`;
}

/**
 * Asserts that `value`, as JSON, names none of the adapters' private temporary
 * directories. It looks for their name prefix, not for the system temp
 * directory: the checkout under test may itself live there (a CI clone in
 * /tmp), and its fixture paths may rightly appear in verdicts.
 */
export function expectNoTempPath(value: unknown): void {
  expect(JSON.stringify(value)).not.toContain(TEMP_DIR_PREFIX);
}
