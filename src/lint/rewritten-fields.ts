import { jsonKind, type JsonKind } from '../json-values.js';
import type { PatternSegment } from '../path/parse-path.js';
import { parseDotPathPattern } from '../path/parse-path.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { fieldsOverlap } from '../rewrite/rewrite-conflicts.js';
import { DEFAULT_MASK } from '../rewrite/rewrite-ops.js';
import type { Phase } from '../types.js';

/** Which fields of an action rewrites give values of their own, before any `when`, `require` or `assert` reads them. */
export interface RewrittenFields {
  /** True when a `set_default` of this phase writes the field (or one inside or around it): it is present whatever the samples say. */
  readonly created: (phase: Phase, segments: readonly PatternSegment[]) => boolean;
  /**
   * The constants `set_default` and `mask_field` of this phase write at exactly
   * this field (a mask as it is written); `undefined` when one writes inside or
   * around it, so that nothing can be said of its value.
   */
  readonly constants: (phase: Phase, segments: readonly PatternSegment[]) => readonly unknown[] | undefined;
}

interface Written {
  readonly phase: Phase;
  readonly creates: boolean;
  readonly value: unknown;
  readonly segments: readonly PatternSegment[];
}

/**
 * The fields the policies' rewrites write. Rewrites run before every check, so
 * a field a `set_default` creates is there for the checks even when no sample
 * has it, and a value a default or a mask writes is the policy's, whatever the
 * tool's schema says. Read loosely (any policy of the phase, whatever its tools
 * and `when`), so this only ever keeps lint from a claim.
 */
export function rewrittenFields(policies: readonly CompiledPolicy[]): RewrittenFields {
  const written: Written[] = [];
  for (const policy of policies) {
    for (const rewrite of policy.definition.rewrite ?? []) {
      const segments = parseDotPathPattern(rewrite.field);
      if (rewrite.op === 'set_default') written.push({ phase: policy.phase, creates: true, value: rewrite.value, segments });
      if (rewrite.op === 'mask_field')
        written.push({ phase: policy.phase, creates: false, value: rewrite.value ?? DEFAULT_MASK, segments });
    }
  }
  const overlapping = (phase: Phase, segments: readonly PatternSegment[]): Written[] =>
    written.filter((entry) => entry.phase === phase && fieldsOverlap(entry.segments, segments));
  return {
    created: (phase, segments) => overlapping(phase, segments).some((entry) => entry.creates),
    constants: (phase, segments) => {
      const found = overlapping(phase, segments);
      return found.every((entry) => samePath(entry.segments, segments)) ? found.map((entry) => entry.value) : undefined;
    },
  };
}

/** The kinds of a list of values. */
export function kindsOf(values: readonly unknown[]): Set<JsonKind> {
  const kinds = new Set<JsonKind>();
  for (const value of values) {
    const kind = jsonKind(value);
    if (kind !== undefined) kinds.add(kind);
  }
  return kinds;
}

function samePath(left: readonly PatternSegment[], right: readonly PatternSegment[]): boolean {
  return (
    left.length === right.length &&
    left.every((segment, index) => {
      const other = right[index];
      return segment.kind === 'any' ? other?.kind === 'any' : other?.kind === 'key' && other.key === segment.key;
    })
  );
}
