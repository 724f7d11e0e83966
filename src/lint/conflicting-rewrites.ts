import { jsonEquals } from '../json-values.js';
import type { Limits } from '../limits.js';
import { parseDotPathPattern } from '../path/parse-path.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { renderValue } from '../render-value.js';
import { toolsDisjoint } from '../rewrite/rewrite-conflicts.js';
import { DEFAULT_MASK } from '../rewrite/rewrite-ops.js';
import type { RewriteDefinition } from '../types.js';
import { fieldFacts } from './field-facts.js';
import type { RuleFinding } from './lint-finding.js';
import { whyNeverHolds } from './never-holds.js';

/** One rewrite, where it is written, in the order rewrites run. */
interface Placed {
  readonly policy: CompiledPolicy;
  readonly position: number;
  readonly rewrite: RewriteDefinition;
}

/**
 * Rewrites that undo one another (`conflicting-rewrites`): two rewrites of the
 * same field (the same dot-path, `*` for `*`), in one policy or in two that can
 * apply to one action (the same phase, tools that may meet, `when`s that do not
 * exclude each other), where the one that runs second (rewrites run by
 * priority, higher first, then in policy and list order) leaves the first
 * without its effect or has none itself: a second default, a mask over a
 * default, a cap the default or mask exceeds, a field removed and set again.
 * Policies at the same priority cannot rewrite one field at all (the set does
 * not compile), so these are the pairs priorities order. `replace` is left
 * out: two patterns over one string can each do their part.
 */
export function checkRewrites(policies: readonly CompiledPolicy[], limits: Limits): RuleFinding[] {
  const byField = new Map<string, Placed[]>();
  for (const policy of policies) {
    (policy.definition.rewrite ?? []).forEach((rewrite, position) => {
      if (rewrite.op === 'replace') return;
      const segments = parseDotPathPattern(rewrite.field).map((segment) => (segment.kind === 'any' ? '*' : `.${segment.key}`));
      const key = `${policy.phase}\u0000${segments.join('\u0000')}`;
      byField.set(key, [...(byField.get(key) ?? []), { policy, position, rewrite }]);
    });
  }
  const findings: RuleFinding[] = [];
  for (const placed of byField.values()) {
    const ordered = [...placed].sort(runOrder);
    ordered.forEach((second, at) => {
      for (const first of ordered.slice(0, at)) {
        const why = consequence(first.rewrite, second.rewrite);
        if (why === undefined || !meet(first.policy, second.policy, limits)) continue;
        const later =
          first.policy.index > second.policy.index || (first.policy === second.policy && first.position > second.position) ? first : second;
        const other = later === first ? second : first;
        const whose = other.policy === later.policy ? 'its' : `policy ${JSON.stringify(other.policy.id)}'s`;
        findings.push({
          rule: 'conflicting-rewrites',
          index: later.policy.index,
          policyId: later.policy.id,
          pointer: `/rewrite/${later.position}`,
          message:
            `policy ${JSON.stringify(later.policy.id)}: its ${describe(later)} runs ${later === second ? 'after' : 'before'} ${whose} ` +
            `${describe(other)} on ${JSON.stringify(later.rewrite.field)}: ${why}`,
        });
        return;
      }
    });
  }
  return findings;
}

// Higher priority first, then policy order, then list order: the order the engine applies rewrites in.
function runOrder(left: Placed, right: Placed): number {
  return right.policy.priority - left.policy.priority || left.policy.index - right.policy.index || left.position - right.position;
}

/** Whether both policies can rewrite one action: one policy always can; two need tools that may meet and `when`s that may hold together. */
function meet(left: CompiledPolicy, right: CompiledPolicy, limits: Limits): boolean {
  if (left === right) return true;
  if (toolsDisjoint(left.tools, right.tools)) return false;
  const whens = [left, right].flatMap((policy) =>
    policy.definition.when === undefined ? [] : [{ predicate: policy.definition.when, pointer: `(${policy.id})/when` }],
  );
  const facts = fieldFacts([left.tools, right.tools], undefined, limits, new Map());
  return whens.length < 2 || whyNeverHolds(whens, { limits, factsAbout: facts }) === undefined;
}

function describe({ rewrite, position }: Placed): string {
  return `${rewrite.op}${shownValue(rewrite)} (/rewrite/${position})`;
}

function shownValue(rewrite: RewriteDefinition): string {
  if (rewrite.op === 'remove_field' || rewrite.op === 'replace') return '';
  return ` ${renderValue(valueOf(rewrite))}`;
}

/** What goes wrong when `first` runs and then `second` on the same field; `undefined` when both keep their effect. */
function consequence(first: RewriteDefinition, second: RewriteDefinition): string | undefined {
  const a = valueOf(first);
  const b = valueOf(second);
  switch (`${first.op}>${second.op}`) {
    case 'set_default>set_default':
      return jsonEquals(a, b) ? undefined : 'the field is set by then, so the second default never applies';
    case 'set_default>mask_field':
      return jsonEquals(a, b) ? undefined : 'a missing field gets the default and is masked at once, so the default never shows';
    case 'set_default>remove_field':
    case 'mask_field>remove_field':
      return `the value is removed at once, so the ${first.op === 'mask_field' ? 'mask' : 'default'} never shows`;
    case 'set_default>cap_value':
    case 'mask_field>cap_value':
      return overCap(a, b, `the ${first.op === 'mask_field' ? 'mask' : 'default'}`);
    case 'mask_field>mask_field':
      return jsonEquals(a, b) ? undefined : 'the second mask replaces the first, so the first never shows';
    case 'remove_field>set_default':
      return 'the removed field comes back with the default, so the removal never shows';
    case 'remove_field>mask_field':
    case 'remove_field>cap_value':
      return `the field is gone by then, so the ${second.op === 'mask_field' ? 'mask' : 'cap'} never applies`;
    case 'cap_value>set_default':
      return overCap(b, a, 'the default');
    case 'cap_value>mask_field':
    case 'cap_value>remove_field':
      return `the capped value is ${second.op === 'mask_field' ? 'masked' : 'removed'} at once, so the cap never shows`;
    case 'cap_value>cap_value':
      return a === b ? undefined : `only the lower cap ${Math.min(Number(a), Number(b))} ever binds`;
    default:
      return undefined;
  }
}

// A value a cap then judges: a number past it is changed or exceeds it, anything else fails it on every action.
function overCap(value: unknown, cap: unknown, what: string): string | undefined {
  if (typeof value !== 'number') return `${what} ${renderValue(value)} is no number, so it can never meet the cap ${renderValue(cap)}`;
  return typeof cap === 'number' && value > cap ? `${what} ${value} is over the cap ${cap}` : undefined;
}

// A mask's value as the engine writes it: null or none is the default mask.
function valueOf(rewrite: RewriteDefinition): unknown {
  if (rewrite.op === 'mask_field') return rewrite.value ?? DEFAULT_MASK;
  return 'value' in rewrite ? rewrite.value : undefined;
}
