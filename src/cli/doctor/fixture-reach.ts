import { compileArtifactSelector } from '../../enforcement/artifact-selector.js';
import { compileGlob } from '../../glob/compile-glob.js';
import type { Limits } from '../../limits.js';
import type { PolicyFixture } from '../../policy-tests/fixture.js';
import { isArtifactFixture } from '../../policy-tests/fixture.js';
import type { PolicyDefinition } from '../../types.js';
import type { DoctorCheck } from './doctor-report.js';

/**
 * Whether each policy's fixtures are ones the policy meets in real use.
 * `tierguard test` judges a fixture with its policy whatever the policy's
 * `tools` and `artifacts` say, so a fixture they do not select passes or fails
 * on a path production never takes:
 * - a `deny` artifact fixture the policy's `artifacts` do not select would never
 *   be validated in use, though `tierguard test` shows it denied: that fails the
 *   check (action fixtures go through `evaluate`, which matches `tools`, so a
 *   deny fixture of a tool the policy does not cover already fails the test, and
 *   an allow fixture of one shows the glob's edge);
 * - a `tools` or `artifacts` pattern that no fixture of its policy reaches is
 *   untested: a warning.
 * Artifact patterns with a `/` match a whole path, which a fixture's place in
 * `fixtures/` says nothing about: they are not checked against fixtures.
 */
export function checkFixtureReach(
  definitions: readonly PolicyDefinition[],
  fixtures: readonly PolicyFixture[],
  limits: Limits,
): DoctorCheck {
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const definition of definitions) {
    const own = fixtures.filter((fixture) => fixture.policyId === definition.id);
    if (own.length === 0) continue;
    checkTools(definition, own, limits, warnings);
    checkArtifacts(definition, own, limits, failures, warnings);
  }
  const findings = [...failures, ...warnings];
  if (failures.length > 0)
    return { name: 'reach', status: 'fail', summary: `${failures.length} fixtures test what production never sees`, findings };
  if (warnings.length > 0) return { name: 'reach', status: 'warn', summary: `${warnings.length} patterns no fixture reaches`, findings };
  return { name: 'reach', status: 'pass', summary: "every fixture is one its policy's tools and artifacts select", findings };
}

function checkTools(definition: PolicyDefinition, fixtures: readonly PolicyFixture[], limits: Limits, warnings: string[]): void {
  const patterns = definition.tools;
  if (patterns === undefined) return;
  const actions = fixtures.filter((fixture) => !isArtifactFixture(fixture));
  if (actions.length === 0) return;
  const matchers = patterns.map((pattern) => ({ pattern, matcher: compileGlob(pattern, limits) }));
  const reached = new Set<string>();
  for (const fixture of actions) {
    const tool = toolOf('action' in fixture ? fixture.action : undefined);
    if (tool === undefined) continue;
    for (const { pattern, matcher } of matchers) if (matcher.test(tool)) reached.add(pattern);
  }
  for (const { pattern } of matchers) {
    if (!reached.has(pattern)) warnings.push(`${definition.id}: no fixture calls a tool matching "${pattern}"`);
  }
}

function checkArtifacts(
  definition: PolicyDefinition,
  fixtures: readonly PolicyFixture[],
  limits: Limits,
  failures: string[],
  warnings: string[],
): void {
  const patterns = (definition.artifacts ?? []).filter((pattern) => !pattern.includes('/'));
  if (patterns.length === 0) return;
  const files = fixtures.filter(isArtifactFixture);
  if (files.length === 0) return;
  const selectors = patterns.map((pattern) => ({ pattern, selector: compileArtifactSelector([pattern], limits).selector }));
  // A pattern with `/` might select a fixture by its whole path in use: then no fixture can be said to be unselected.
  const wholeNamePatterns = (definition.artifacts ?? []).length > patterns.length;
  const reached = new Set<string>();
  for (const fixture of files) {
    const name = fixture.file.slice(fixture.file.lastIndexOf('/') + 1);
    const selecting = selectors.filter(({ selector }) => selector?.selects(name) === true);
    for (const { pattern } of selecting) reached.add(pattern);
    if (selecting.length === 0 && !wholeNamePatterns && fixture.expected === 'deny') {
      failures.push(
        `${fixture.file}: ${definition.id}'s artifacts (${patterns.join(', ')}) do not select "${name}", so in use no engine would judge it`,
      );
    }
  }
  for (const { pattern } of selectors) {
    if (!reached.has(pattern)) warnings.push(`${definition.id}: no fixture is a file matching "${pattern}"`);
  }
}

function toolOf(action: unknown): string | undefined {
  if (typeof action !== 'object' || action === null) return undefined;
  const tool = (action as { tool?: unknown }).tool;
  return typeof tool === 'string' ? tool : undefined;
}
