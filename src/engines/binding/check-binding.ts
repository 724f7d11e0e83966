import { stat } from 'node:fs/promises';
import type { JsonValue } from '../../types.js';
import type { EngineBinding, EngineError } from '../types.js';

/**
 * Checks that a binding is for this adapter and is well formed: `engine` names
 * it, `policy` and `policyId` are non-empty strings, `query` (when given) is a
 * string, and `options` holds only keys the adapter knows. Returns the problem
 * as an `INVALID_BINDING` error, or `undefined`.
 */
export function checkBinding(adapter: string, binding: EngineBinding, knownOptions: readonly string[]): EngineError | undefined {
  const invalid = (message: string): EngineError => ({ code: 'INVALID_BINDING', message });
  if (typeof binding !== 'object' || (binding as unknown) === null) return invalid('the binding must be an object');
  if (binding.engine !== adapter) return invalid(`the binding is for engine ${JSON.stringify(binding.engine)}, not ${adapter}`);
  if (typeof binding.policy !== 'string' || binding.policy.length === 0) return invalid('the binding needs a policy path');
  if (typeof binding.policyId !== 'string' || binding.policyId.length === 0)
    return invalid('the binding needs the id of the policy that bound it');
  if (binding.query !== undefined && typeof binding.query !== 'string') return invalid('the binding query must be a string');
  const options: unknown = binding.options;
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return invalid('the binding options must be an object');
  for (const key of Object.keys(options)) {
    if (!knownOptions.includes(key)) {
      const known = knownOptions.length > 0 ? knownOptions.join(', ') : 'none';
      return invalid(`unknown ${adapter} option "${key}" (known: ${known})`);
    }
  }
  return undefined;
}

/** An own option of the binding, or `undefined`. */
export function bindingOption(binding: EngineBinding, key: string): JsonValue | undefined {
  const options = binding.options;
  return options !== undefined && Object.hasOwn(options, key) ? options[key] : undefined;
}

/** `POLICY_NOT_FOUND` unless the policy exists; `directory` says whether a directory is acceptable. */
export async function checkPolicyExists(policy: string, directory: boolean): Promise<EngineError | undefined> {
  try {
    const info = await stat(policy);
    if (info.isFile() || (directory && info.isDirectory())) return undefined;
    return { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} is not a file${directory ? ' or directory' : ''}` };
  } catch {
    return { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} does not exist or cannot be read` };
  }
}
