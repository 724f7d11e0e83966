import { isGlobPattern } from '../glob/compile-glob.js';
import type { PatternSegment } from '../path/parse-path.js';
import { parseDotPathPattern } from '../path/parse-path.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { Phase, RewriteDefinition } from '../types.js';

/** What conflict detection reads of a compiled policy. */
export interface RewriteOwner {
  /** The policy id. */
  readonly id: string;
  /** Position in the policy set. */
  readonly index: number;
  /** The phase whose actions it rewrites. */
  readonly phase: Phase;
  /** Its rewrite priority. */
  readonly priority: number;
  /** Its tool patterns, `undefined` for every tool. */
  readonly tools: readonly string[] | undefined;
  /** Its definition, already validated and compiled. */
  readonly definition: { readonly rewrite?: readonly RewriteDefinition[] };
}

/** The conflicts of one policy with policies before it. */
export interface RewriteConflict<Policy extends RewriteOwner> {
  /** The later policy of each pair: the one reported. */
  readonly policy: Policy;
  /** One issue per earlier policy it conflicts with, at the first field they share. */
  readonly issues: readonly DefinitionIssue[];
}

interface Field {
  readonly source: string;
  readonly position: number;
  readonly segments: readonly PatternSegment[];
}

/**
 * Finds pairs of policies whose rewrites could both apply to one field with
 * nothing to order them: the same phase, the same priority, fields that overlap
 * (equal, or one a prefix of the other, `*` matching any one segment), and tools
 * that may meet. Tools cannot meet only when both policies list exact names (no
 * glob syntax) and no name is in both lists. `when` is not considered: whether
 * two predicates exclude each other cannot be decided in general. Several ops of
 * one policy on one field are no conflict: they run in list order.
 */
export function findRewriteConflicts<Policy extends RewriteOwner>(policies: readonly Policy[]): RewriteConflict<Policy>[] {
  const groups = new Map<string, { policy: Policy; fields: Field[] }[]>();
  const conflicts: RewriteConflict<Policy>[] = [];
  for (const policy of policies) {
    const rewrite = policy.definition.rewrite;
    if (rewrite === undefined) continue;
    const fields = rewrite.map(({ field }, position) => ({ source: field, position, segments: parseDotPathPattern(field) }));
    const key = `${policy.phase}\n${policy.priority}`;
    const earlier = groups.get(key) ?? [];
    const issues: DefinitionIssue[] = [];
    for (const other of earlier) {
      if (toolsDisjoint(policy.tools, other.policy.tools)) continue;
      const clash = firstOverlap(fields, other.fields);
      if (clash !== undefined) issues.push(conflictIssue(policy, other.policy, clash[0], clash[1]));
    }
    if (issues.length > 0) conflicts.push({ policy, issues });
    earlier.push({ policy, fields });
    groups.set(key, earlier);
  }
  return conflicts;
}

/** True when two rewrite fields can address one value: equal, or one a prefix of the other, `*` matching any segment. */
export function fieldsOverlap(left: readonly PatternSegment[], right: readonly PatternSegment[]): boolean {
  const shared = Math.min(left.length, right.length);
  for (let index = 0; index < shared; index += 1) {
    const a = left[index];
    const b = right[index];
    if (a?.kind === 'key' && b?.kind === 'key' && a.key !== b.key) return false;
  }
  return true;
}

/**
 * True when two policies' `tools` can never select one tool: both list exact
 * names only (no glob syntax) and share none. `undefined` is every tool.
 */
export function toolsDisjoint(left: readonly string[] | undefined, right: readonly string[] | undefined): boolean {
  if (left === undefined || right === undefined) return false;
  if (left.some(isGlobPattern) || right.some(isGlobPattern)) return false;
  return !left.some((tool) => right.includes(tool));
}

function firstOverlap(fields: readonly Field[], others: readonly Field[]): [Field, Field] | undefined {
  for (const field of fields) {
    const other = others.find((candidate) => fieldsOverlap(field.segments, candidate.segments));
    if (other !== undefined) return [field, other];
  }
  return undefined;
}

function conflictIssue(policy: RewriteOwner, other: RewriteOwner, field: Field, otherField: Field): DefinitionIssue {
  const same = field.source === otherField.source ? '' : ` (as ${otherField.source})`;
  return new DefinitionIssue(
    `/rewrite/${field.position}/field`,
    'a field no other policy rewrites at the same priority',
    `rewrites ${field.source}, which policy "${other.id}" also rewrites${same} on ${policy.phase} at the same priority ${policy.priority}: ` +
      'give one of them a different "priority" to order them',
  );
}
