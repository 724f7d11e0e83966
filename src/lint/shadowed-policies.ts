import { compareStrictness } from '../config/compare-strictness.js';
import { isGlobPattern } from '../glob/compile-glob.js';
import type { Limits } from '../limits.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { canonicalJson } from '../policy/policy-version.js';
import type { PolicyDefinition, PredicateDefinition } from '../types.js';
import type { RuleFinding } from './lint-finding.js';
import { toolSelector } from './tool-selection.js';

/** What the search reads of a policy, worked out once. */
interface Indexed {
  readonly policy: CompiledPolicy;
  readonly patterns: ReadonlySet<string> | undefined;
  readonly selects: (name: string) => boolean;
  /** Its `when`'s conjuncts (an `all` flattened), as canonical JSON; empty without a `when`. */
  readonly conjuncts: ReadonlySet<string>;
  /** The definition with the id left out, as canonical JSON: two policies that differ only in id are the same policy. */
  readonly body: string;
}

/**
 * Policies another policy makes redundant (`shadowed-policy`): B is shadowed by
 * A when A is at least as strict as B in every aspect, as precedence compares a
 * lower-precedence definition with the one it would replace (`compareStrictness`:
 * an effect and a mode at least as strong, the same phase, every check of B kept
 * or tightened), where A's `tools` may also cover B's by matching its exact
 * names and A's `when` may be a part of B's (its conjuncts among B's). Then
 * wherever B applies, A applies too and is violated whenever B is: B never
 * changes a verdict. Of two policies that shadow each other, the later is
 * reported. Advisory policies judge nothing and are left out. Policies are
 * indexed by their patterns, so a set pays for the pairs that can shadow, not
 * for every pair.
 */
export function checkShadowed(policies: readonly CompiledPolicy[], limits: Limits): RuleFinding[] {
  const indexed = policies.filter((policy) => !policy.parts.advisory).map((policy) => index(policy, limits));
  const candidates = candidateIndex(indexed);
  const findings: RuleFinding[] = [];
  for (const shadowed of indexed) {
    for (const by of candidates(shadowed)) {
      if (by === shadowed || !shadows(by, shadowed)) continue;
      // Each of a pair that shadow one another makes the other redundant; the earlier one stays.
      if (by.policy.index > shadowed.policy.index && shadows(shadowed, by)) continue;
      const [name, other] = [JSON.stringify(shadowed.policy.id), JSON.stringify(by.policy.id)];
      findings.push({
        rule: 'shadowed-policy',
        index: shadowed.policy.index,
        policyId: shadowed.policy.id,
        pointer: '',
        message:
          `policy ${name} is shadowed by policy ${other}` +
          (by.body === shadowed.body ? ', the same policy under another id' : '') +
          `: wherever ${name} applies, ${other} applies too and is violated, at least as strongly, whenever ${name} is, so ${name} never changes a verdict`,
      });
      break;
    }
  }
  return findings;
}

function index(policy: CompiledPolicy, limits: Limits): Indexed {
  const { tools, when } = policy.definition;
  return {
    policy,
    patterns: tools === undefined ? undefined : new Set(tools),
    selects: toolSelector(tools, limits),
    conjuncts: new Set(when === undefined ? [] : conjuncts(when).map(canonicalJson)),
    body: canonicalJson(without(policy.definition, ['id'])),
  };
}

/**
 * The policies that may shadow a policy, in policy order: those for every tool,
 * those listing its first pattern, and, for an exact name, those whose globs
 * match it (worked out once per name). Any policy whose tools cover its tools is
 * among them.
 */
function candidateIndex(indexed: readonly Indexed[]): (shadowed: Indexed) => readonly Indexed[] {
  const everyTool = indexed.filter((entry) => entry.patterns === undefined);
  const listing = new Map<string, Indexed[]>();
  for (const entry of indexed) for (const pattern of entry.patterns ?? []) listing.set(pattern, [...(listing.get(pattern) ?? []), entry]);
  const globbing = indexed.filter((entry) => [...(entry.patterns ?? [])].some(isGlobPattern));
  const byName = new Map<string, readonly Indexed[]>();
  return (shadowed) => {
    const [first] = shadowed.policy.tools ?? [];
    if (first === undefined) return everyTool;
    let found = byName.get(first);
    if (found === undefined) {
      const matching = isGlobPattern(first) ? [] : globbing.filter((entry) => entry.selects(first));
      const all = new Set([...everyTool, ...(listing.get(first) ?? []), ...matching]);
      found = indexed.filter((entry) => all.has(entry));
      byName.set(first, found);
    }
    return found;
  };
}

/** True when `by` is at least as strict as `shadowed` in every aspect, tools and `when` read as covering. */
function shadows(by: Indexed, shadowed: Indexed): boolean {
  if (by.policy.phase !== shadowed.policy.phase || !toolsCover(by, shadowed)) return false;
  for (const part of by.conjuncts) if (!shadowed.conjuncts.has(part)) return false;
  if (by.policy.definition.when !== undefined && shadowed.policy.definition.when === undefined) return false;
  // The aspects this reading settles are given B's values, so the comparison judges the rest.
  const { tools, when } = shadowed.policy.definition;
  const stronger = {
    ...without(by.policy.definition, ['tools', 'when']),
    ...(tools === undefined ? {} : { tools }),
    ...(when === undefined ? {} : { when }),
  };
  const { relation } = compareStrictness(shadowed.policy.definition, stronger);
  return relation === 'identical' || relation === 'refines';
}

/** `by` selects every tool `shadowed` does: every tool, or each pattern its own or an exact name it matches. */
function toolsCover(by: Indexed, shadowed: Indexed): boolean {
  if (by.patterns === undefined) return true;
  if (shadowed.patterns === undefined) return false;
  for (const pattern of shadowed.patterns) {
    if (!by.patterns.has(pattern) && (isGlobPattern(pattern) || !by.selects(pattern))) return false;
  }
  return true;
}

function conjuncts(predicate: PredicateDefinition): PredicateDefinition[] {
  return 'all' in predicate ? predicate.all.flatMap(conjuncts) : [predicate];
}

/** The definition without some of its keys. */
function without(definition: PolicyDefinition, keys: readonly (keyof PolicyDefinition)[]): Readonly<Record<string, unknown>> {
  return Object.fromEntries(Object.entries(definition).filter(([key]) => !(keys as readonly string[]).includes(key)));
}
