import { pathToFileURL } from 'node:url';
import { describeThrown } from '../describe-thrown.js';
import type { EngineAdapter } from '../engines/types.js';
import { isTierguardError } from '../errors.js';
import { childPointer, configError } from './config-error.js';
import type { ConfigAdapterModule, TierguardConfig } from './config-types.js';

/**
 * The built-in factories by engine name, each imported only when the config
 * names its engine: the adapters spawn processes, and the root entry must not
 * load `child_process`.
 */
const FACTORIES: Readonly<Record<string, () => Promise<(options: unknown) => EngineAdapter>>> = Object.freeze({
  opa: async () => (await import('../engines/opa/index.js')).createOpaCliAdapter as (options: unknown) => EngineAdapter,
  conftest: async () => (await import('../engines/conftest/index.js')).createConftestAdapter as (options: unknown) => EngineAdapter,
  checkov: async () => (await import('../engines/checkov/index.js')).createCheckovAdapter as (options: unknown) => EngineAdapter,
  semgrep: async () => (await import('../engines/semgrep/index.js')).createSemgrepAdapter as (options: unknown) => EngineAdapter,
});

/**
 * The adapters a config asks for: each `engines` entry made by its built-in
 * factory with the options given (a wrong option is the factory's own
 * `INVALID_OPTIONS`, prefixed with the file and pointer), then each `adapters`
 * module imported and its export used as a factory (called with `options`) or
 * as an adapter. A module that cannot be imported, an export that is absent, or
 * a value that is not an adapter named as the config says, is `INVALID_OPTIONS`.
 */
export async function buildAdapters(config: TierguardConfig): Promise<EngineAdapter[]> {
  const adapters: EngineAdapter[] = [];
  for (const [name, options] of Object.entries(config.engines)) {
    const pointer = childPointer('/engines', name);
    const load = FACTORIES[name];
    if (load === undefined) throw configError(config.file, pointer, `there is no built-in adapter for engine "${name}"`);
    const factory = await load();
    try {
      adapters.push(factory(options));
    } catch (error) {
      if (!isTierguardError(error)) throw error;
      throw configError(config.file, pointer, error.message, error);
    }
  }
  for (const [index, entry] of config.adapters.entries()) adapters.push(await loadAdapterModule(entry, config.file, `/adapters/${index}`));
  return adapters;
}

async function loadAdapterModule(entry: ConfigAdapterModule, file: string, pointer: string): Promise<EngineAdapter> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry.module).href)) as Record<string, unknown>;
  } catch (error) {
    throw configError(file, `${pointer}/module`, `cannot load the adapter module ${entry.module}: ${describeThrown(error)}`, error);
  }
  if (!Object.hasOwn(module, entry.export)) {
    const names = Object.keys(module).sort();
    throw configError(
      file,
      `${pointer}/export`,
      `${entry.module} has no export "${entry.export}" (it exports: ${names.length === 0 ? 'nothing' : names.join(', ')})`,
    );
  }
  const exported = module[entry.export];
  let adapter: unknown;
  try {
    adapter = typeof exported === 'function' ? await (exported as (options: unknown) => unknown)(entry.options) : exported;
  } catch (error) {
    throw configError(file, pointer, `the factory ${entry.export} of ${entry.module} threw: ${describeThrown(error)}`, error);
  }
  const candidate = typeof adapter === 'object' && adapter !== null ? (adapter as Partial<EngineAdapter>) : undefined;
  if (candidate === undefined || typeof candidate.evaluate !== 'function' || typeof candidate.available !== 'function') {
    throw configError(
      file,
      `${pointer}/export`,
      `${entry.export} of ${entry.module} is not an engine adapter (an object with name, available() and evaluate()) nor a factory returning one`,
    );
  }
  if (candidate.name !== entry.name) {
    throw configError(file, `${pointer}/name`, `the adapter of ${entry.module} is named "${String(candidate.name)}", not "${entry.name}"`);
  }
  return candidate as EngineAdapter;
}
