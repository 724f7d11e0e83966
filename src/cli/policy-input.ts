import type { BundleVerificationOptions } from '../bundle/bundle-verification.js';
import type { LoadedPolicies } from '../bundle/load-policies.js';
import { loadPolicies } from '../bundle/load-policies.js';
import { describeUrl } from '../bundle/policy-location.js';
import { watchPolicies } from '../bundle/watch-policies.js';
import type { PolicyWatcher, WatchPoliciesOptions } from '../bundle/watch-policies.js';
import type { LoadedConfig } from '../config/load-config.js';
import { loadConfig } from '../config/load-config.js';
import type { PreparedPolicies } from '../config/prepare-policies.js';
import type { EngineOptions } from '../engine.js';
import { UsageError } from './usage-error.js';

/** The `parseArgs` options every command that reads policies takes: `--policies`, or `--config` (and `--strict`). */
export const POLICY_INPUT_OPTIONS = {
  policies: { type: 'string' },
  config: { type: 'string' },
  strict: { type: 'boolean', default: false },
} as const;

/** Where a command's policies come from, as parsed. */
export interface PolicyInputArgs {
  readonly policies?: string | undefined;
  readonly config?: string | undefined;
  readonly strict?: boolean | undefined;
}

/** The policies read, the engine options the config sets (none for `--policies`) and lines for stderr. */
export interface PolicyInput {
  readonly loaded: LoadedPolicies;
  readonly engine: Omit<EngineOptions, 'policies' | 'sources'>;
  /** Precedence conflicts and dropped invalid policies, one line each. */
  readonly notes: readonly string[];
  /** The config, when the policies came from one. */
  readonly config?: LoadedConfig;
}

/**
 * Exactly one of `--policies` and `--config`: both at once would leave it
 * unclear which sources count, so it is a usage error, as is neither. There is
 * no discovery of a config file: what a command enforces is always on its
 * command line.
 */
export function requirePolicyInput(values: PolicyInputArgs): void {
  if (values.policies !== undefined && values.config !== undefined)
    throw new UsageError('give --policies or --config, not both: a config file lists its own sources');
  if (values.policies === undefined && values.config === undefined) throw new UsageError('--policies is required');
}

/**
 * Reads the policies of `--policies` (all-or-nothing, as always: a path, a
 * bundle, or a bundle URL, verified against `verification`'s key when given)
 * or of `--config` (merged by precedence, invalid soft policies dropped unless
 * `--strict` or the config's `options.strict`; under strict a conflict fails).
 */
export async function loadPolicyInput(
  values: PolicyInputArgs,
  allowEmpty = false,
  verification: BundleVerificationOptions = {},
): Promise<PolicyInput> {
  requirePolicyInput(values);
  if (values.config === undefined) {
    return { loaded: await loadPolicies(values.policies ?? '', {}, { allowEmpty, ...verification }), engine: {}, notes: [] };
  }
  const config = await loadConfig(values.config, {
    ...(values.strict === true ? { strict: true } : {}),
    ...(allowEmpty ? { allowEmpty: true } : {}),
  });
  const { adapters, mode, onError, limits } = config.engineOptions;
  const engine = {
    ...(adapters === undefined ? {} : { adapters }),
    ...(mode === undefined ? {} : { mode }),
    ...(onError === undefined ? {} : { onError }),
    ...(limits === undefined ? {} : { limits }),
  };
  return { loaded: config.loaded, engine, notes: notesOf(config), config };
}

/** One line per conflict and per dropped policy, for stderr. */
export function notesOf(prepared: PreparedPolicies): string[] {
  return [
    ...prepared.conflicts.map((conflict) => `precedence conflict: ${conflict.message}`),
    ...prepared.dropped.map((dropped) => `invalid policy left out (not hard): ${dropped.file}: ${dropped.message}`),
  ];
}

/**
 * Watches the policies of `--policies`, or of `--config` with the config's
 * merge on every reload (its conflicts and dropped policies logged each load;
 * under strict a conflict fails that reload and the last good set serves).
 */
export async function watchPolicyInput(
  values: PolicyInputArgs,
  options: Omit<WatchPoliciesOptions, 'limits' | 'prepare'> & { readonly allowEmpty: boolean },
  log: (line: string) => void,
): Promise<PolicyWatcher> {
  requirePolicyInput(values);
  if (values.config === undefined) return watchPolicies(values.policies ?? '', options);
  const { engine, allowEmpty, ...rest } = options;
  const config = await loadConfig(values.config, {
    ...(values.strict === true ? { strict: true } : {}),
    ...(allowEmpty ? { allowEmpty: true } : {}),
  });
  return config.watch({
    ...rest,
    ...(engine === undefined ? {} : { engine }),
    onPrepared: (prepared) => {
      for (const note of notesOf(prepared)) log(note);
    },
  });
}

/** Where the policies come from, for a log line: a bundle URL without its query (a pre-signed URL's signature). */
export function describePolicyInput(values: PolicyInputArgs): string {
  if (values.config !== undefined) return `the sources of ${values.config}`;
  const policies = values.policies ?? '';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(policies)) return policies;
  try {
    return describeUrl(new URL(policies));
  } catch {
    return policies;
  }
}
