import { closestNames, didYouMean } from '../did-you-mean.js';
import { TierguardError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { ToolDescription } from '../mcp/gateway/check-tool-schemas.js';
import { compilePolicies } from '../policy/compile-policies.js';
import { checkRewrites } from './conflicting-rewrites.js';
import type { LintFinding, RuleFinding } from './lint-finding.js';
import { LINT_RULE_IDS, LINT_RULES } from './lint-rules.js';
import { checkMessages } from './message-checks.js';
import { checkPredicates } from './predicate-checks.js';
import { sampleActions } from './sample-actions.js';
import { checkAgainstSamples } from './sample-checks.js';
import { checkAgainstToolSchemas } from './schema-checks.js';
import { checkShadowed } from './shadowed-policies.js';
import { toolListOf } from './tool-list.js';

/** What to lint policies against, besides themselves. */
export interface LintOptions {
  /**
   * Sample actions (as `tierguard check` reads them: objects with a string
   * `tool`), taken as the picture of what the policies judge: every `tools`
   * pattern must select one's tool, every field a policy reads must be in one it
   * applies to. Not with `tools`.
   */
  readonly actions?: readonly unknown[];
  /** The file each sample action came from, by position, for messages. */
  readonly actionFiles?: readonly string[];
  /**
   * The tools the policies guard, as `tools/list` returns them
   * (`{ tools: [{ name, inputSchema }] }`) or as the bare array: every `tools`
   * pattern must match a tool, every argument a policy reads must be in the
   * schemas of the tools it selects, and a `when` comparing an argument with a
   * value its schema rules out never holds. Not with `actions`.
   */
  readonly tools?:
    | readonly ToolDescription[]
    | {
        /** The tools, as the result of `tools/list` holds them. */
        readonly tools: readonly ToolDescription[];
      };
  /** The file `tools` was read from, for messages. */
  readonly toolsFile?: string;
  /** The file each policy came from, by position (as `loadPolicies` returns `sources`), for findings. */
  readonly sources?: readonly string[];
  /** Bounds on the work (schemas and samples are read within `maxDepth` and `maxNodes`); the engine's defaults otherwise. */
  readonly limits?: Partial<Limits>;
}

const OPTION_NAMES: readonly string[] = ['actions', 'actionFiles', 'tools', 'toolsFile', 'sources', 'limits'];

/**
 * Lints a policy set: each rule of `LINT_RULES` run over the policies (and the
 * sample actions or tool schemas, when given), findings in policy order and,
 * within a policy, in rule order. Lint judges only what compiles, so an invalid
 * set throws `INVALID_POLICY` as `createEngine` would (formal shapes are checked
 * by their schema here; `createEngine` compiles them). Pure and synchronous:
 * nothing is read from disk, and hostile schemas and samples are bounded by
 * `limits`.
 */
export function lintPolicies(policies: readonly unknown[], options: LintOptions = {}): LintFinding[] {
  checkOptions(options, policies);
  const limits = resolveLimits(options.limits);
  const compiled = compilePolicies(policies, limits);
  if (options.actions !== undefined && options.tools !== undefined) {
    throw new TierguardError('INVALID_OPTIONS', 'give actions or tools, not both: each is a picture of what the policies judge', {
      option: 'tools',
    });
  }
  const tools = options.tools === undefined ? undefined : toolListOf(options.tools, options.toolsFile ?? 'tools');
  const samples = options.actions === undefined ? undefined : sampleActions(options.actions, options.actionFiles, limits);
  const found: RuleFinding[] = [
    ...(samples === undefined ? [] : checkAgainstSamples(compiled, samples, limits)),
    ...(tools === undefined ? [] : checkAgainstToolSchemas(compiled, tools, limits)),
    ...checkPredicates(compiled, tools, limits),
    ...checkShadowed(compiled, limits),
    ...checkRewrites(compiled, limits),
    ...checkMessages(compiled),
  ];
  const order = (finding: RuleFinding): number => LINT_RULE_IDS.indexOf(finding.rule);
  found.sort((left, right) => left.index - right.index || order(left) - order(right));
  return found.map((finding) => withSeverity(finding, options.sources));
}

function withSeverity(
  { rule, index, policyId, pointer, message, suggestion, tool }: RuleFinding,
  sources?: readonly string[],
): LintFinding {
  const file = sources?.[index];
  return {
    rule,
    severity: LINT_RULES[rule].severity,
    policyId,
    ...(file === undefined ? {} : { file }),
    pointer,
    message,
    ...(suggestion === undefined ? {} : { suggestion }),
    ...(tool === undefined ? {} : { tool }),
  };
}

function checkOptions(options: LintOptions, policies: readonly unknown[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new TierguardError('INVALID_OPTIONS', 'lint options must be an object', { option: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const hint = didYouMean(closestNames(key, OPTION_NAMES));
    throw new TierguardError(
      'INVALID_OPTIONS',
      `unknown lint option ${JSON.stringify(key)}${hint}; the options are ${OPTION_NAMES.join(', ')}`,
      {
        option: key,
      },
    );
  }
  const sources: unknown = options.sources;
  const listed = Array.isArray(sources) && Array.isArray(policies) && sources.length === policies.length;
  if (sources !== undefined && (!listed || (sources as unknown[]).some((source) => typeof source !== 'string'))) {
    throw new TierguardError('INVALID_OPTIONS', 'sources must list one file per policy, as loadPolicies returns', { option: 'sources' });
  }
  if (options.toolsFile !== undefined && typeof options.toolsFile !== 'string') {
    throw new TierguardError('INVALID_OPTIONS', 'toolsFile must be a file name', { option: 'toolsFile' });
  }
}
