import type {
  CheckFinding,
  CheckResult,
  Explanation,
  OperandExplanation,
  PolicyExplanation,
  PolicyStatus,
  PredicateExplanation,
  RequireExplanation,
  ValueExplanation,
} from '../explain/explanation.js';
import { formatPath } from '../format-path.js';
import { renderValue } from '../render-value.js';
import { escapeTerminalText as shown } from '../terminal-text.js';
import type { Rewrite } from '../types.js';
import { formatDecision } from './format-decision.js';

/** The mark a check's line starts with, one width for all, so the tree lines up. */
const MARKS: Readonly<Record<CheckResult, string>> = { pass: 'pass', fail: 'fail', skipped: 'skip', error: 'err ' };

const POLICY_MARKS: Readonly<Record<PolicyStatus, CheckResult>> = {
  violated: 'fail',
  passed: 'pass',
  'not-applicable': 'skipped',
  'not-evaluated': 'skipped',
  error: 'error',
};

const STATUS_WORDS: Readonly<Record<PolicyStatus, string>> = {
  violated: 'violated',
  passed: 'passed',
  'not-applicable': 'not applicable',
  'not-evaluated': 'not evaluated',
  error: 'error',
};

const MAX_PATTERNS_LISTED = 3;

/** Each level of the tree is indented by the width of a mark and the two spaces after it. */
const STEP = ' '.repeat(MARKS.pass.length + 2);

/** One line of the tree: its depth and its text (escaped already). */
type Line = readonly [depth: number, text: string];

/**
 * An explanation for a terminal: a header, then a tree per policy in policy
 * order (one line for a policy that does not apply or is not evaluated), each
 * check marked `pass`, `fail`, `skip` or `err` with the value it read and the
 * findings it produced (`x` deny, `?` escalate, `~` monitored, `!` warning, as
 * `tierguard check` marks them), and last the decision exactly as
 * `tierguard check` prints it. Every value from the action or a policy is
 * escaped, so none can break a line or drive the terminal.
 */
export function formatExplanation(explanation: Explanation, tool: unknown): string {
  const head = `explain  ${shown(typeof tool === 'string' ? tool : renderValue(tool))}  (policies ${explanation.policyVersion.slice(0, 19)})`;
  const lines: Line[] = [];
  if (explanation.refused !== undefined) {
    lines.push([0, `E (action)  ${shown(explanation.refused.code)}  ${shown(explanation.refused.message)}`]);
  }
  for (const policy of explanation.policies) lines.push(...policyLines(policy));
  const tree = lines.map(([depth, text]) => `${STEP.repeat(depth)}${text}`);
  return [head, ...tree, '', formatDecision(explanation.decision, tool)].join('\n');
}

function policyLines(policy: PolicyExplanation): Line[] {
  const patterns = policy.tools?.result === 'fail' && policy.tools.patterns !== undefined ? ` (${patternList(policy.tools.patterns)})` : '';
  const title = `${MARKS[POLICY_MARKS[policy.status]]}  ${shown(policy.policyId)}  ${STATUS_WORDS[policy.status]}: ${shown(policy.reason)}${patterns}`;
  const lines: Line[] = [[0, title]];
  const marker = findingMarker(policy);
  const detailed = policy.status !== 'not-evaluated' || policy.tools !== undefined;
  if (policy.status === 'not-applicable') {
    // Why its `when` did not hold is worth showing; a tool that does not match says it all in the title.
    if (policy.tools?.result === 'pass' && policy.when !== undefined) lines.push(...predicateLines(policy.when, 1, 'when ', marker));
  } else if (detailed) {
    lines.push(...detailLines(policy, marker));
  }
  for (const error of policy.errors) lines.push([1, `E ${shown(error.code)}  ${shown(error.message)}`]);
  if (policy.note !== undefined) lines.push([1, `note: ${shown(policy.note)}`]);
  return lines;
}

function detailLines(policy: PolicyExplanation, marker: string): Line[] {
  const lines: Line[] = [];
  if (policy.tools !== undefined)
    lines.push([1, `tools  ${policy.tools.matched === undefined ? 'every tool' : `${shown(policy.tools.matched)} matches`}`]);
  const { rewrite } = policy;
  if (rewrite !== undefined) {
    const why = rewrite.result === 'skipped' ? '  its when does not hold' : rewrite.error === undefined ? '' : `  ${shown(rewrite.error)}`;
    lines.push([1, `${MARKS[rewrite.result]}  rewrite${why}`]);
    if (rewrite.when !== undefined) lines.push(...predicateLines(rewrite.when, 2, 'when ', marker));
    for (const applied of rewrite.rewrites) lines.push([2, rewriteLine(applied)]);
    lines.push(...findingLines(rewrite.findings, 2, marker));
  }
  if (policy.when !== undefined) lines.push(...predicateLines(policy.when, 1, 'when ', marker));
  for (const entry of policy.require ?? []) lines.push(...requireLines(entry, marker));
  if (policy.assert !== undefined) {
    const assertion = predicateLines(policy.assert, 1, 'assert ', marker);
    const [first] = assertion;
    // The assertion is only checked once every required field is there.
    if (first !== undefined && policy.assert.result === 'skipped' && policy.require?.some((entry) => entry.result === 'fail') === true) {
      assertion[0] = [first[0], `${first[1]}  not checked: a required field is missing`];
    }
    lines.push(...assertion);
  }
  if (policy.applies !== undefined) {
    lines.push([1, `${MARKS[policy.applies.result]}  applies: a policy with nothing to check is violated whenever it applies`]);
    lines.push(...findingLines(policy.applies.findings, 2, marker));
  }
  const { formal } = policy;
  if (formal !== undefined) {
    const source = formal.sources
      .map((part) => (part === 'shapesFile' ? `shapesFile ${shown(formal.shapesFile ?? '')}` : part))
      .join(' and ');
    lines.push([
      1,
      `${MARKS[formal.result]}  ${source} (formal tier)${formal.reason === undefined ? '' : `  not run: ${shown(formal.reason)}`}`,
    ]);
    lines.push(...findingLines(formal.findings, 2, marker));
  }
  for (const binding of policy.enforcement ?? []) {
    lines.push([
      1,
      `${MARKS.skipped}  enforcement ${shown(binding.engine)} ${shown(binding.policy)}  not run: engines judge artifacts (tierguard validate), never actions`,
    ]);
  }
  return lines;
}

function predicateLines(node: PredicateExplanation, depth: number, label: string, marker: string): Line[] {
  const mark = MARKS[node.result];
  if (node.result === 'skipped') return [[depth, `${mark}  ${label}${shown(node.description)}`]];
  const error = node.error === undefined ? '' : `  ${shown(node.error)}`;
  if (node.kind === 'comparison') {
    const multi = node.field.startsWith('$');
    const read = multi ? '' : `  ${readText(node.values[0], node.operand)}`;
    const lines: Line[] = [[depth, `${mark}  ${label}${shown(node.description)}${node.values.length > 0 ? read : ''}${error}`]];
    if (multi) {
      const operand = node.operand?.valueRef === undefined ? '' : `  ${operandText(node.operand)}`;
      if (operand !== '') lines.push([depth + 1, operand.trimStart()]);
      lines.push(...valueLines(node.values, node.valuesOmitted, depth + 1));
    }
    return [...lines, ...findingLines(node.findings, depth + 1, marker)];
  }
  const lines: Line[] = [[depth, `${mark}  ${label}${node.kind}${error}`]];
  const parts = node.kind === 'not' ? [node.part] : node.parts;
  for (const part of parts) lines.push(...predicateLines(part, depth + 1, '', marker));
  return [...lines, ...findingLines(node.findings, depth + 1, marker)];
}

function requireLines(entry: RequireExplanation, marker: string): Line[] {
  const label = `${MARKS[entry.result]}  require ${shown(entry.field)}`;
  if (entry.result === 'skipped') return [[1, label]];
  if (!entry.field.startsWith('$')) {
    return [[1, `${label}  ${readText(entry.values[0], undefined)}`], ...findingLines(entry.findings, 2, marker)];
  }
  return [[1, label], ...valueLines(entry.values, entry.valuesOmitted, 2), ...findingLines(entry.findings, 2, marker)];
}

function valueLines(values: readonly ValueExplanation[], omitted: number | undefined, depth: number): Line[] {
  const lines: Line[] = values.map((value): Line => [
    depth,
    `${MARKS[value.result]}  ${shown(formatPath(value.path))} ${valueText(value)}`,
  ]);
  if (omitted !== undefined) lines.push([depth, `… and ${omitted} more ${omitted === 1 ? 'value' : 'values'}`]);
  return lines;
}

/** What a single-valued comparison read, and its `valueRef` operand: `read 25000, context.limits.maxAmount = 5000`. */
function readText(value: ValueExplanation | undefined, operand: OperandExplanation | undefined): string {
  const read = value === undefined ? 'read missing' : value.missing === true ? 'read missing' : `read ${quoted(value)}`;
  return operand?.valueRef === undefined ? read : `${read}, ${operandText(operand)}`;
}

function operandText(operand: OperandExplanation): string {
  const name = shown(operand.valueRef ?? '');
  return operand.missing === true ? `${name} missing` : `${name} = ${quoted(operand)}`;
}

function valueText(value: ValueExplanation): string {
  return value.missing === true ? 'missing' : `= ${quoted(value)}`;
}

function quoted(value: { readonly value?: unknown; readonly redacted?: true }): string {
  return value.redacted === true ? '<redacted>' : shown(renderValue(value.value));
}

function rewriteLine(rewrite: Rewrite): string {
  const value = rewrite.value === undefined ? '' : ` ${shown(renderValue(rewrite.value))}`;
  return `${rewrite.applied ? 'r' : '~'} ${shown(formatPath(rewrite.path))}  ${shown(rewrite.op)}${value}${rewrite.applied ? '' : ' (proposed)'}`;
}

function findingLines(findings: readonly CheckFinding[] | undefined, depth: number, marker: string): Line[] {
  return (findings ?? []).map((finding): Line => [depth, `${marker} ${shown(formatPath(finding.path))}  ${shown(finding.message)}`]);
}

/** A policy's tool patterns for its title line: the first few, so a long list stays one readable line. */
function patternList(patterns: readonly string[]): string {
  const listed = patterns.slice(0, MAX_PATTERNS_LISTED).map(shown).join(', ');
  return patterns.length > MAX_PATTERNS_LISTED ? `${listed}, … ${patterns.length - MAX_PATTERNS_LISTED} more` : listed;
}

/** How `tierguard check` marks this policy's findings: `!` warning, `~` monitored, `?` escalate, `x` deny. */
function findingMarker(policy: PolicyExplanation): string {
  if (policy.effect === 'warn') return '!';
  if (policy.mode === 'monitor') return '~';
  return policy.effect === 'escalate' ? '?' : 'x';
}
