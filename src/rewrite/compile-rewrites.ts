import { formatPath } from '../format-path.js';
import type { Limits } from '../limits.js';
import type { Action, Effect, PathSegment, Rewrite, RewriteDefinition, Violation } from '../types.js';
import type { FieldFailure, FieldOp, RewriteSink } from './apply-rewrite.js';
import { RewriteWalk } from './apply-rewrite.js';
import type { RewritePath } from './rewrite-path.js';
import { compileRewritePath } from './rewrite-path.js';
import { compileRewriteOp } from './rewrite-ops.js';

/** What a policy's rewrites did to one action. */
export interface RewriteResult {
  /** The action after the rewrites: the very object passed in when nothing changed, else a copy sharing every unchanged subtree. */
  readonly action: Action;
  /** One record per field changed, in the order the rewrites ran; always `applied: true`. */
  readonly rewrites: readonly Rewrite[];
  /** One per field a rewrite could not handle (a wrong type, a string too long): the policy is violated there. */
  readonly violations: readonly Violation[];
}

/** A policy's rewrites, compiled: applies them in list order, each seeing what the previous ones left. May throw (a hostile getter). */
export type CompiledRewrite = (action: Action, tool: string) => RewriteResult;

/** What a rewrite's records and violations say about their policy. */
export interface RewritingPolicy {
  /** The policy id. */
  readonly id: string;
  /** The policy's effect, carried by its violations. */
  readonly effect: Effect;
}

interface Step {
  readonly path: RewritePath;
  readonly op: FieldOp;
}

const NOTHING: readonly never[] = Object.freeze([]);

/**
 * Compiles a policy's `rewrite` list once. Throws {@link DefinitionIssue} at
 * `/rewrite/<n>/...` for what the schema cannot check: paths, patterns,
 * replacement templates. The caller's action is never mutated.
 */
export function compileRewrites(definitions: readonly RewriteDefinition[], policy: RewritingPolicy, limits: Limits): CompiledRewrite {
  const steps: Step[] = definitions.map((definition, position) => {
    const pointer = `/rewrite/${position}`;
    return { path: compileRewritePath(definition.field, `${pointer}/field`, limits), op: compileRewriteOp(definition, pointer, limits) };
  });
  const severity = policy.effect === 'warn' ? 'warning' : 'violation';

  const record = (op: FieldOp, path: PathSegment[]): Rewrite => ({
    policyId: policy.id,
    op: op.op,
    path,
    ...(op.recorded === undefined ? {} : { value: op.recorded }),
    applied: true,
  });

  // No `actual`: the value may be exactly what the rewrite was meant to hide. The
  // message is the default one, not the policy's template, for the same reason.
  const violation = (op: FieldOp, path: PathSegment[], failure: FieldFailure): Violation => ({
    policyId: policy.id,
    tier: 'auto',
    constraint: op.op,
    path,
    message: `${policy.id}: ${op.op} at ${formatPath(path)} ${failure.reason ?? `needs ${failure.expected}, found ${failure.found}`}`,
    expected: failure.expected,
    effect: policy.effect,
    severity,
  });

  return (action) => {
    // One sink and one walk per call, whatever the number of steps; records and
    // their lists are made only for fields that changed or failed.
    let rewrites: Rewrite[] | undefined;
    let violations: Violation[] | undefined;
    const sink: RewriteSink = {
      changed: (op, path) => (rewrites ??= []).push(record(op, path)),
      failed: (op, path, failure) => (violations ??= []).push(violation(op, path, failure)),
    };
    const walk = new RewriteWalk(sink);
    let current: object = action;
    for (const { path, op } of steps) current = walk.apply(current, path.segments, op);
    return { action: current as Action, rewrites: rewrites ?? NOTHING, violations: violations ?? NOTHING };
  };
}
