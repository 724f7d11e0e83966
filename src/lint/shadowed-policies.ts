import { compareStrictness } from '../config/compare-strictness.js';
import type { Limits } from '../limits.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { PolicyDefinition, PredicateDefinition } from '../types.js';
import { jsonEquals } from '../json-values.js';
import type { RuleFinding } from './lint-finding.js';
import { toolsCover } from './tool-selection.js';

/**
 * Policies another policy makes redundant (`shadowed-policy`): B is shadowed by
 * A when A is at least as strict as B in every aspect, as precedence compares a
 * lower-precedence definition with the one it would replace (`compareStrictness`:
 * an effect and a mode at least as strong, the same phase, every check of B kept
 * or tightened), where A's `tools` may also cover B's by matching its exact
 * names and A's `when` may be a part of B's (its conjuncts among B's). Then
 * wherever B applies, A applies too and is violated whenever B is: B never
 * changes a verdict. Of two policies that shadow each other, the later is
 * reported. Advisory policies judge nothing and are left out.
 */
export function checkShadowed(policies: readonly CompiledPolicy[], limits: Limits): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const judging = policies.filter((policy) => !policy.parts.advisory);
  for (const shadowed of judging) {
    for (const by of judging) {
      if (by === shadowed || by.phase !== shadowed.phase || !shadows(by, shadowed, limits)) continue;
      // Each of a pair that shadow one another makes the other redundant; the earlier one stays.
      if (by.index > shadowed.index && shadows(shadowed, by, limits)) continue;
      const identical = jsonEquals({ ...by.definition, id: '' }, { ...shadowed.definition, id: '' });
      const [name, other] = [JSON.stringify(shadowed.id), JSON.stringify(by.id)];
      findings.push({
        rule: 'shadowed-policy',
        index: shadowed.index,
        policyId: shadowed.id,
        pointer: '',
        message:
          `policy ${name} is shadowed by policy ${other}` +
          (identical ? ', the same policy under another id' : '') +
          `: wherever ${name} applies, ${other} applies too and is violated, at least as strongly, whenever ${name} is, so ${name} never changes a verdict`,
      });
      break;
    }
  }
  return findings;
}

/** True when `by` is at least as strict as `shadowed` in every aspect, tools and `when` read as covering. */
function shadows(by: CompiledPolicy, shadowed: CompiledPolicy, limits: Limits): boolean {
  if (!toolsCover(by.tools, shadowed.tools, limits)) return false;
  const when = shadowed.definition.when;
  if (!whenCovers(by.definition.when, when)) return false;
  // The aspects this reading settles are given B's values, so the comparison judges the rest.
  const stronger: PolicyDefinition = { ...withTools(by.definition, shadowed.tools), ...(when === undefined ? {} : { when }) };
  const { relation } = compareStrictness(shadowed.definition, stronger);
  return relation === 'identical' || relation === 'refines';
}

/** A `when` (absent: always) that holds whenever `inner` does: absent, or each of its conjuncts one of `inner`'s. */
function whenCovers(outer: PredicateDefinition | undefined, inner: PredicateDefinition | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  const within = conjuncts(inner);
  return conjuncts(outer).every((part) => within.some((other) => jsonEquals(other, part)));
}

function conjuncts(predicate: PredicateDefinition): PredicateDefinition[] {
  return 'all' in predicate ? predicate.all.flatMap(conjuncts) : [predicate];
}

function withTools(definition: PolicyDefinition, tools: readonly string[] | undefined): PolicyDefinition {
  const rest = Object.fromEntries(Object.entries(definition).filter(([key]) => key !== 'tools')) as unknown as PolicyDefinition;
  return tools === undefined ? rest : { ...rest, tools };
}
