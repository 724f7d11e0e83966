import { checkAction } from './check-action.js';
import { rejectUnknownOptions, requireOptionsObject } from './check-options.js';
import { describeThrown } from './describe-thrown.js';
import { TierguardError, isTierguardError } from './errors.js';
import type { Limits } from './limits.js';
import { resolveLimits } from './limits.js';
import type { Action } from './types.js';

/** Options of {@link actionToRdf}. Unknown keys are rejected. */
export interface ActionToRdfOptions {
  /**
   * Ids of policies with a `shape`: the root gets each one's class
   * (`urn:tierguard:policy:<id>`), as the engine types an action such a
   * policy applies to, so that policy's generated shapes target it.
   */
  readonly policies?: readonly string[];
  /** More classes for the root, each an absolute IRI (`urn:example:Payment`). */
  readonly classes?: readonly string[];
  /** Overrides for `DEFAULT_LIMITS`: an action past `maxDepth` or `maxNodes` is refused, as `evaluate` refuses it. */
  readonly limits?: Partial<Limits>;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['policies', 'classes', 'limits']);
// An IRI that Turtle can hold between `<` and `>` unescaped: a scheme, then no space, control character or <>"{}|^`\.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\u0000-\u0020<>"{}|^`\\]*$/;

/**
 * The RDF graph the formal tier validates for `action`, as Turtle: the root
 * `tg:action` typed `tg:Action` (and the classes the options add), each key a
 * `key:` predicate, objects inline as `[ ... ]`, arrays as repeated values,
 * null omitted and a key left with no value recorded with `tg:keyWithoutValue`
 * (README, "From JSON to RDF"). The same action gives the same text; parse it
 * with any Turtle parser (n3's `Parser`) for quads, or hand it with a shapes
 * file to another SHACL validator. The action is checked as `evaluate` checks
 * it (an object with a string `tool`, within `limits`): `INVALID_ACTION` or
 * `LIMIT_EXCEEDED` otherwise, never a hang. Rewrites are not applied: this is
 * the action as given. Loads the RDF modules on first use.
 */
export async function actionToRdf(action: Action, options: ActionToRdfOptions = {}): Promise<string> {
  requireOptionsObject(options, 'actionToRdf');
  rejectUnknownOptions(options, OPTION_KEYS);
  const limits = resolveLimits(options.limits);
  const policies = stringList(options.policies, 'policies', (id) => id.length > 0, 'a non-empty policy id');
  const classes = stringList(options.classes, 'classes', isAbsoluteIri, 'an absolute IRI with no space or <>"{}|^`\\');
  try {
    checkAction(action, limits);
    const { actionTurtle } = await import('./formal/action-turtle.js');
    return await actionTurtle(action, policies, classes);
  } catch (error) {
    // Besides the action check's own errors, only a value that cannot be read (a getter that throws, a Proxy) gets here.
    if (isTierguardError(error)) throw error;
    throw new TierguardError('INVALID_ACTION', `the action cannot be read as JSON data: ${describeThrown(error)}`, {}, { cause: error });
  }
}

/** True for an IRI `actionToRdf` takes as a class: a scheme and `:`, then nothing Turtle would need escaped between `<` and `>`. */
export function isAbsoluteIri(text: string): boolean {
  return ABSOLUTE_IRI.test(text);
}

function stringList(value: unknown, option: string, isValid: (text: string) => boolean, expected: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TierguardError('INVALID_OPTIONS', `${option} must be an array of strings`, { option });
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string' || !isValid(item)) {
      const shown = typeof item === 'string' ? JSON.stringify(item.length > 200 ? `${item.slice(0, 200)}…` : item) : typeof item;
      throw new TierguardError('INVALID_OPTIONS', `${option}[${index}] must be ${expected} (got ${shown})`, {
        option: `${option}[${index}]`,
      });
    }
    return item;
  });
}
