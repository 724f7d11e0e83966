import type { PatternSegment } from '../path/parse-path.js';
import { parseDotPathPattern } from '../path/parse-path.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { fieldsOverlap } from '../rewrite/rewrite-conflicts.js';
import type { Phase, RewriteOp } from '../types.js';

/** Which fields of an action rewrites give values of their own, before any `when`, `require` or `assert` reads them. */
export interface RewrittenFields {
  /** True when a `set_default` of this phase writes the field (or one inside or around it): it is present whatever the samples say. */
  readonly created: (phase: Phase, segments: readonly PatternSegment[]) => boolean;
  /** True when a `set_default` or `mask_field` of this phase writes a constant there: its value is the policy's, not the tool's. */
  readonly constant: (phase: Phase, segments: readonly PatternSegment[]) => boolean;
}

/**
 * The fields the policies' rewrites write, by phase and op. Rewrites run before
 * every check, so a field a `set_default` creates is there for the checks even
 * when no sample has it, and a value a default or a mask writes is whatever the
 * policy says, whatever the tool's schema says. Read loosely (any policy of the
 * phase, whatever its tools and `when`), so this only ever keeps lint from a claim.
 */
export function rewrittenFields(policies: readonly CompiledPolicy[]): RewrittenFields {
  const written: { readonly phase: Phase; readonly op: RewriteOp; readonly segments: readonly PatternSegment[] }[] = [];
  for (const policy of policies) {
    for (const rewrite of policy.definition.rewrite ?? []) {
      if (rewrite.op === 'set_default' || rewrite.op === 'mask_field') {
        written.push({ phase: policy.phase, op: rewrite.op, segments: parseDotPathPattern(rewrite.field) });
      }
    }
  }
  const writes = (ops: readonly RewriteOp[]) => (phase: Phase, segments: readonly PatternSegment[]) =>
    written.some((entry) => entry.phase === phase && ops.includes(entry.op) && fieldsOverlap(entry.segments, segments));
  return { created: writes(['set_default']), constant: writes(['set_default', 'mask_field']) };
}
