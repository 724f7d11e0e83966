import { describeThrown } from '../describe-thrown.js';
import type { EngineAdapter } from '../engines/types.js';

/** Where each engine's default adapter lives and which factory makes it (with no options). */
const DEFAULT_ADAPTER_MODULES: Readonly<Record<string, { readonly module: string; readonly factory: string }>> = Object.freeze({
  opa: { module: '../engines/opa/index.js', factory: 'createOpaCliAdapter' },
  conftest: { module: '../engines/conftest/index.js', factory: 'createConftestAdapter' },
  checkov: { module: '../engines/checkov/index.js', factory: 'createCheckovAdapter' },
  semgrep: { module: '../engines/semgrep/index.js', factory: 'createSemgrepAdapter' },
});

/** The engines a binding may name without an adapter given to `createEngine`. */
export const DEFAULT_ENGINE_NAMES: readonly string[] = Object.freeze(Object.keys(DEFAULT_ADAPTER_MODULES));

/**
 * Loads an engine's default adapter. The adapters spawn processes, so they are
 * imported only when a binding first needs one: the root entry never loads
 * `child_process`, and a policy set that binds only Semgrep never loads OPA's
 * code. The specifier is taken from a table rather than written in each
 * `import()`, so one code path loads all four. Rejects with a message saying
 * what failed; the caller turns that into an `error` verdict.
 */
export async function loadDefaultAdapter(engine: string): Promise<EngineAdapter> {
  const entry = Object.hasOwn(DEFAULT_ADAPTER_MODULES, engine) ? DEFAULT_ADAPTER_MODULES[engine] : undefined;
  if (entry === undefined) throw new Error(`there is no default adapter for engine "${engine}"`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(entry.module)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the default ${engine} adapter could not be loaded: ${describeThrown(error)}`, { cause: error });
  }
  const factory = loaded[entry.factory];
  if (typeof factory !== 'function') throw new Error(`the default ${engine} adapter module has no ${entry.factory} function`);
  return (factory as () => EngineAdapter)();
}
