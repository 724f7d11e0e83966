import { closestNames, didYouMean } from '../did-you-mean.js';
import type { Limits } from '../limits.js';
import { policyPath, policyPathText, policyPathWith } from '../mcp/gateway/policy-path.js';
import { fieldReads } from '../mcp/policy-fields.js';
import { isJsonPath } from '../path/parse-path.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { RuleFinding } from './lint-finding.js';
import type { SampleAction } from './sample-actions.js';
import { rewrittenFields, type RewrittenFields } from './rewritten-fields.js';
import { walkSamples } from './sample-walk.js';
import { toolSelector } from './tool-selection.js';

/**
 * Policies against sample actions, taken as the picture of what the policies
 * judge: each `tools` pattern must select the tool of some sample
 * (`unreachable-tools`), and each path a policy reads or rewrites (in `when`,
 * `require`, `assert`, `valueRef`s, rewrite fields and shape paths) must lead to
 * a value in some sample of a tool the policy selects (`unknown-field`). A
 * JSONPath is checked up to its first wildcard, as against a tool schema. A
 * response policy's `result` paths are checked only when one of those samples
 * has a `result` (a tool's output, as response fixtures carry it). A path a
 * `set_default` writes is present whatever the samples say: it creates it.
 * Advisory and enforcement-only policies read no action and are left out; so
 * are the fields of a policy whose patterns select no sample at all, which its
 * `unreachable-tools` finding already names.
 */
export function checkAgainstSamples(policies: readonly CompiledPolicy[], samples: readonly SampleAction[], limits: Limits): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const names = [...new Set(samples.map((sample) => sample.tool))];
  const rewritten = rewrittenFields(policies);
  for (const policy of policies) {
    if (policy.parts.advisory || policy.parts.engineOnly) continue;
    unreachableTools(policy, names, limits, findings);
    const selects = toolSelector(policy.tools, limits);
    const own = samples.filter((sample) => selects(sample.tool)).map((sample) => sample.action);
    if (own.length > 0) unknownFields(policy, own, limits, rewritten, findings);
  }
  return findings;
}

function unreachableTools(policy: CompiledPolicy, names: readonly string[], limits: Limits, findings: RuleFinding[]): void {
  (policy.tools ?? []).forEach((pattern, position) => {
    if (names.some(toolSelector([pattern], limits))) return;
    const near = closestNames(pattern, names);
    const pointer = `/tools/${position}`;
    findings.push({
      rule: 'unreachable-tools',
      index: policy.index,
      policyId: policy.id,
      pointer,
      message: `policy ${quote(policy.id)}: tools pattern ${quote(pattern)} (${pointer}) matches the tool of no sample action${didYouMean(near)}`,
      ...(near[0] === undefined ? {} : { suggestion: near[0] }),
    });
  });
}

function unknownFields(
  policy: CompiledPolicy,
  samples: readonly object[],
  limits: Limits,
  rewritten: RewrittenFields,
  findings: RuleFinding[],
): void {
  const whose = policy.tools === undefined ? 'no sample action' : 'no sample action of its tools';
  // Samples without a tool's output say nothing of it: a response policy's result paths need one that has it.
  const results = samples.some((sample) => Object.hasOwn(sample, 'result'));
  for (const read of fieldReads(policy.definition)) {
    const path = policyPath(read);
    if (path === 'unchecked' || 'invalid' in path) continue;
    if (policy.phase === 'response' && path.head === 'result' && !results) continue;
    const steps = [{ kind: 'key', key: path.head } as const, ...path.steps];
    // A default creates its field before any check reads it.
    if (rewritten.created(policy.phase, steps)) continue;
    const walk = walkSamples(samples, steps, { arraysTransparent: read.syntax === 'shape', maxValues: limits.maxNodes });
    if (walk.found) continue;
    const step = steps[walk.matched];
    const missing = step === undefined || step.kind === 'any' ? '*' : step.key;
    const where = walk.matched === 0 ? 'at the top' : `under ${policyPathText(path, walk.matched - 1)}`;
    const keys = closestNames(missing, walk.names);
    // A JSONPath is checked up to its first wildcard: a whole path offered for it would drop the rest.
    const near = isJsonPath(read.field) ? [] : keys.map((name) => policyPathWith(path, walk.matched - 1, name));
    findings.push({
      rule: 'unknown-field',
      index: policy.index,
      policyId: policy.id,
      pointer: read.pointer,
      message: `policy ${quote(policy.id)} reads ${quote(read.field)} (${read.pointer}), but ${whose} has ${quote(missing)} ${where}${didYouMean(near.length > 0 ? near : keys)}`,
      ...(near[0] === undefined ? {} : { suggestion: near[0] }),
    });
  }
}

// Names from files can be of any length; a message shows enough to find them.
function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
