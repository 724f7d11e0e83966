import { describeThrown } from '../describe-thrown.js';
import type { EngineAdapter } from '../engines/types.js';

/**
 * How each engine's default adapter is made. The adapters spawn processes, so
 * each is imported only when a binding first needs it: the root entry never
 * loads `child_process`, and a policy set that binds only Semgrep never loads
 * OPA's code. Each `import()` is written out, so the compiler checks the
 * factory's name and a bundler can follow it.
 */
const DEFAULT_ADAPTERS: Readonly<Record<string, () => Promise<EngineAdapter>>> = Object.freeze({
  opa: async () => (await import('../engines/opa/index.js')).createOpaCliAdapter(),
  conftest: async () => (await import('../engines/conftest/index.js')).createConftestAdapter(),
  checkov: async () => (await import('../engines/checkov/index.js')).createCheckovAdapter(),
  semgrep: async () => (await import('../engines/semgrep/index.js')).createSemgrepAdapter(),
});

/** The engines a binding may name without an adapter given to `createEngine`. */
export const DEFAULT_ENGINE_NAMES: readonly string[] = Object.freeze(Object.keys(DEFAULT_ADAPTERS));

/**
 * Loads an engine's default adapter. Rejects with a message saying what failed;
 * the caller turns that into an `error` verdict.
 */
export async function loadDefaultAdapter(engine: string): Promise<EngineAdapter> {
  const load = Object.hasOwn(DEFAULT_ADAPTERS, engine) ? DEFAULT_ADAPTERS[engine] : undefined;
  if (load === undefined) throw new Error(`there is no default adapter for engine "${engine}"`);
  try {
    return await load();
  } catch (error) {
    throw new Error(`the default ${engine} adapter could not be loaded: ${describeThrown(error)}`, { cause: error });
  }
}
