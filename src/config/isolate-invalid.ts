import { TierguardError, isTierguardError } from '../errors.js';
import type { InvalidPolicyDetails } from '../errors.js';
import type { Limits } from '../limits.js';
import { compilePolicies } from '../policy/compile-policies.js';

/** An invalid policy left out of the set: which, from where, and why. */
export interface DroppedPolicy {
  /** Its id as written (namespaced), or its position when it has none. */
  readonly policy: string;
  readonly file: string;
  /** The JSON pointers of its issues. */
  readonly pointers: readonly string[];
  readonly message: string;
}

/** The positions kept, and the invalid policies dropped. */
export interface Isolated {
  readonly kept: readonly number[];
  readonly dropped: readonly DroppedPolicy[];
}

/**
 * Leaves out the invalid policies that can only ever warn, so one bad soft rule
 * does not take the whole set down, and fails on any other. A policy is
 * droppable when what it says about its own weight is readable and never hard:
 * `severity` `soft` or `advisory`, or no severity with `effect: "warn"`, and no
 * effect other than `warn`. One that is or may be hard (`hard`, `deny`,
 * `escalate`, the default effect, an unreadable severity or effect) makes the
 * load fail with `INVALID_POLICY` naming its file: dropping it would relax the
 * set. Validation is the engine's (`compilePolicies`), run again on what is
 * kept until nothing more is dropped; a problem only the formal tier or the
 * engine bindings find is still the engine's whole-load failure. Under
 * `strict` every invalid policy fails the load, each named with its file.
 */
export function isolateInvalid(definitions: readonly unknown[], files: readonly string[], limits: Limits, strict = false): Isolated {
  let kept = definitions.map((_, index) => index);
  const dropped: DroppedPolicy[] = [];
  for (;;) {
    const failures = invalidAmong(
      kept.map((index) => definitions[index]),
      limits,
    );
    if (failures.length === 0) return { kept, dropped };
    const fatal = strict ? failures : failures.filter((failure) => !isDroppable(definitions[kept[failure.position] ?? -1]));
    if (fatal.length > 0) {
      const named = fatal.map((failure) => `${files[kept[failure.position] ?? -1] ?? '?'}: ${failure.message}`);
      throw new TierguardError(
        'INVALID_POLICY',
        strict
          ? `${named.join('\n')}\n(strict: any invalid policy fails the load)`
          : `${named.join('\n')}\n(an invalid policy that is or may be hard fails the load: leaving it out would relax the set)`,
        {
          errors: fatal.map((failure) => failure.details),
          files: [...new Set(fatal.map((failure) => files[kept[failure.position] ?? -1] ?? '?'))],
        },
      );
    }
    const leaving = new Set(failures.map((failure) => kept[failure.position] ?? -1));
    for (const failure of failures) {
      dropped.push({
        policy: failure.details.policy ?? `policy #${failure.position}`,
        file: files[kept[failure.position] ?? -1] ?? '?',
        pointers: (failure.details.issues ?? []).map((issue) => issue.pointer),
        message: failure.message,
      });
    }
    kept = kept.filter((index) => !leaving.has(index));
  }
}

interface Failure {
  /** Position in the list given to `compilePolicies`. */
  readonly position: number;
  readonly details: InvalidPolicyDetails;
  readonly message: string;
}

/** Every invalid policy of a set, one entry each, with its message. */
function invalidAmong(definitions: readonly unknown[], limits: Limits): Failure[] {
  try {
    compilePolicies(definitions, limits);
    return [];
  } catch (error) {
    if (!isTierguardError(error, 'INVALID_POLICY')) throw error;
    const all = error.details.errors ?? [error.details];
    // With several, each message is a line of the combined one, in the same order.
    const lines = all.length === 1 ? [error.message] : splitMessages(error.message, all.length);
    return all.map((details, index) => ({ position: details.policyIndex ?? -1, details, message: lines[index] ?? error.message }));
  }
}

function splitMessages(message: string, count: number): string[] {
  const body = message.split('\n').slice(1);
  const messages: string[] = [];
  for (const line of body) {
    if (line.startsWith('  ') && messages.length > 0) messages[messages.length - 1] += `\n${line}`;
    else messages.push(line);
  }
  return messages.length === count ? messages : [];
}

/** Readably soft or advisory, never hard: see {@link isolateInvalid}. */
function isDroppable(definition: unknown): boolean {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return false;
  const { severity, effect } = definition as { severity?: unknown; effect?: unknown };
  if (effect !== undefined && effect !== 'warn') return false;
  if (severity === 'soft' || severity === 'advisory') return true;
  return severity === undefined && effect === 'warn';
}
