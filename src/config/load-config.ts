import { loadPolicies } from '../bundle/load-policies.js';
import type { PolicySource } from '../bundle/policy-sources.js';
import { watchPolicies } from '../bundle/watch-policies.js';
import type { PolicyWatcher, WatchPoliciesOptions } from '../bundle/watch-policies.js';
import type { EngineOptions } from '../engine.js';
import { TierguardError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import type { TierguardConfig } from './config-types.js';
import { buildAdapters } from './build-adapters.js';
import { parseConfig } from './parse-config.js';
import type { PreparedPolicies } from './prepare-policies.js';
import { preparePolicies } from './prepare-policies.js';
import { readConfigFile } from './read-config-file.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Overrides the config's `options.strict` when given (the CLI's `--strict`). */
  readonly strict?: boolean;
  /** Accept an empty set even if the config's `options.allowEmpty` does not (the CLI's `--allow-empty`). */
  readonly allowEmpty?: boolean;
}

/** Options of {@link LoadedConfig.watch}: those of `watchPolicies` that the config does not set. */
export type WatchConfigOptions = Omit<WatchPoliciesOptions, 'engine' | 'limits' | 'allowEmpty' | 'prepare'> & {
  /** Receives what each load (the first and every reload) merged, dropped and reported as conflicts. */
  readonly onPrepared?: (prepared: PreparedPolicies) => void;
  /** `createEngine` options the config does not set (`onDecision`, `shortCircuit`). */
  readonly engine?: Omit<EngineOptions, 'policies' | 'sources' | 'adapters' | 'limits'>;
};

/** A config file loaded: its policies merged by precedence, and what `createEngine` and `watchPolicies` need. */
export interface LoadedConfig extends PreparedPolicies {
  readonly config: TierguardConfig;
  /** Whether the load was all-or-nothing. */
  readonly strict: boolean;
  /** Everything `createEngine` takes from the config: `createEngine(config.engineOptions)`. */
  readonly engineOptions: EngineOptions;
  /** Watches the config's sources, merging on every reload as the first load did. */
  watch(options?: WatchConfigOptions): Promise<PolicyWatcher>;
}

const LOAD_KEYS: ReadonlySet<string> = new Set(['strict', 'allowEmpty']);

/**
 * Reads `tierguard.config.yaml` (or `.json`): its sources, each with a name, a
 * precedence and a namespace; built-in engines' options; adapter modules; and
 * options (`mode`, `onError`, `strict`, `allowEmpty`, `limits`). Loads every
 * source with ids `<namespace>/<id>`, leaves out invalid soft policies (not under
 * `strict`), and merges rules that share a local id by precedence, a lower
 * source only ever tightening a higher one (see the README, "Sources and
 * precedence"). Conflicts are returned, or under `strict` thrown as `INVALID_POLICY`.
 * A malformed config is `INVALID_OPTIONS` naming the file and pointer.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  if (typeof path !== 'string' || path.length === 0)
    throw new TierguardError('INVALID_OPTIONS', 'loadConfig needs the path of a config file', { option: 'path' });
  if (typeof options !== 'object' || options === null) throw new TierguardError('INVALID_OPTIONS', 'loadConfig options must be an object');
  for (const key of Object.keys(options)) {
    if (!LOAD_KEYS.has(key))
      throw new TierguardError('INVALID_OPTIONS', `unknown loadConfig option "${key}" (known: strict, allowEmpty)`, { option: key });
  }
  for (const key of ['strict', 'allowEmpty'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean')
      throw new TierguardError('INVALID_OPTIONS', `${key} must be a boolean`, { option: key });
  }
  const config = parseConfig(await readConfigFile(path), path);
  const strict = options.strict ?? config.options.strict;
  const limits = resolveLimits(config.options.limits);
  const { mode, onError } = config.options;
  const allowEmpty = options.allowEmpty === true || config.options.allowEmpty;
  const sources: PolicySource[] = config.sources.map((source) => ({ path: source.path, namespace: source.namespace }));
  const adapters = await buildAdapters(config);
  const loaded = await loadPolicies(sources, config.options.limits ?? {}, { allowEmpty });
  const prepared = preparePolicies(loaded, config.sources, limits, strict);
  const common = {
    adapters,
    ...(mode === undefined ? {} : { mode }),
    ...(onError === undefined ? {} : { onError }),
    ...(config.options.limits === undefined ? {} : { limits: config.options.limits }),
  };
  const watch = (watchOptions: WatchConfigOptions = {}): Promise<PolicyWatcher> => {
    const { onPrepared, engine, ...rest } = watchOptions;
    return watchPolicies(sources, {
      ...rest,
      allowEmpty,
      ...(config.options.limits === undefined ? {} : { limits: config.options.limits }),
      engine: { ...common, ...engine },
      prepare: (read) => {
        const next = preparePolicies(read, config.sources, limits, strict);
        onPrepared?.(next);
        return next.loaded;
      },
    });
  };
  return {
    ...prepared,
    config,
    strict,
    engineOptions: { ...common, policies: prepared.loaded.definitions, sources: prepared.loaded.sources },
    watch,
  };
}
