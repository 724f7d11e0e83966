import { TierguardError } from './errors.js';

/**
 * Refuses an options argument that is not a plain object, naming the function
 * it was given to (`watchPolicies options must be an object`).
 */
export function requireOptionsObject(options: unknown, owner: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TierguardError('INVALID_OPTIONS', `${owner} options must be an object`, { option: 'options' });
  }
}

/**
 * Refuses the first own key of `options` that is not in `known`, listing the
 * known ones, so a misspelt option is an error instead of a default silently
 * kept. `noun` names what the keys are in the message (`unknown option "x"`).
 */
export function rejectUnknownOptions(options: object, known: ReadonlySet<string>, noun = 'option'): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new TierguardError('INVALID_OPTIONS', `unknown ${noun} "${key}" (known: ${[...known].join(', ')})`, { option: key });
    }
  }
}
