import { basename } from 'node:path';
import type { PathSegment } from '../types.js';
import { describeMismatch } from './describe-fixture-result.js';
import type { FixtureKind } from './fixture-kind.js';
import type { FixtureExpectation } from './fixture.js';
import type { FixtureJudgement, FixtureOutcome, FixtureReport, FixtureResult } from './run-fixtures.js';

/** What a report needs beside the results: the policy set's version and how long the run took. */
export interface FixtureRunInfo {
  /** The content hash of the policy set the fixtures ran against (`engine.version`). */
  readonly policyVersion: string;
  /** Wall-clock milliseconds from loading the policies to the last fixture's result. */
  readonly durationMs: number;
}

/** A violation in the JSON report: the fields a CI job can point at, and no values from the action. */
export interface FixtureViolationJson {
  /** `tierguard`, or the engine that reported it. */
  readonly judge: string;
  /** The tier that found it (`auto`, `formal`, `engine`). */
  readonly tier: string;
  /** The operator, SHACL component or engine rule. */
  readonly constraint: string;
  /** Segments into the action (or `[file, line, column]` from an engine). */
  readonly path: readonly PathSegment[];
  /** What is wrong, as the policy or engine words it. */
  readonly message: string;
  /** The policy's effect (`deny`, `escalate`, `warn`...). */
  readonly effect: string;
}

/** An evaluation error in the JSON report. */
export interface FixtureErrorJson {
  /** Stable code (`INVALID_ACTION`, `LIMIT_EXCEEDED`, `EVALUATION_FAILED`). */
  readonly code: string;
  /** What went wrong. */
  readonly message: string;
  /** The policy being evaluated, absent when the action or artifact itself was refused. */
  readonly policyId?: string;
}

/** One fixture in the JSON report. */
export interface FixtureEntryJson {
  /** The fixture file, relative to the policy directory, `/`-separated. */
  readonly file: string;
  /** The file's base name, e.g. `over-limit.json`. */
  readonly name: string;
  /** The policy the fixture is about. */
  readonly policyId: string;
  /** `action`, `artifact`, or `cross-check` (an action judged by the tiers and by the policy's engines). */
  readonly kind: FixtureKind;
  /** What the fixture's folder says: `allow` or `deny`. */
  readonly expected: FixtureExpectation;
  /** What the policy did: `allow`, `deny`, `error`, or `disagree` (the judges differed). */
  readonly actual: FixtureOutcome;
  /** `passed` when every judge gave the expected outcome. */
  readonly status: 'passed' | 'failed';
  /** For a failed fixture only: `expected deny, got allow`, as the text report words it. */
  readonly message?: string;
  /** What each judge said. */
  readonly judgements: readonly FixtureJudgement[];
  /** The named policy's violations and warnings. */
  readonly violations: readonly FixtureViolationJson[];
  /** The named policy's evaluation errors, and any error about the fixture itself. */
  readonly errors: readonly FixtureErrorJson[];
}

/** The document `tierguard test --json` prints; its shape is documented in the README and kept stable. */
export interface FixtureReportJson {
  /** Always `tierguard`, so a CI job can tell the document from another tool's. */
  readonly tool: 'tierguard';
  /** The content hash of the policy set. */
  readonly policyVersion: string;
  /** Fixtures that matched. */
  readonly passed: number;
  /** Fixtures that did not. */
  readonly failed: number;
  /** Every fixture: `passed + failed`. (Nothing is skipped: an engine that is missing fails its fixtures.) */
  readonly total: number;
  /** How long the run took, in whole milliseconds. */
  readonly durationMs: number;
  /** One entry per fixture, in the order they ran (sorted by file). */
  readonly fixtures: readonly FixtureEntryJson[];
}

/**
 * The fixture report as the JSON document of `tierguard test --json`: the
 * counts, then every fixture (passes included, so a CI job can list them) with
 * its judges, its violations (without the action's values: `expected` and
 * `actual` of a violation may be large or sensitive) and its errors.
 */
export function fixtureReportToJson(report: FixtureReport, info: FixtureRunInfo): FixtureReportJson {
  return {
    tool: 'tierguard',
    policyVersion: info.policyVersion,
    passed: report.passed,
    failed: report.failed,
    total: report.results.length,
    durationMs: Math.max(0, Math.round(info.durationMs)),
    fixtures: report.results.map(entry),
  };
}

function entry(result: FixtureResult): FixtureEntryJson {
  const { fixture } = result;
  return {
    file: fixture.file,
    name: basename(fixture.file),
    policyId: fixture.policyId,
    kind: result.kind,
    expected: fixture.expected,
    actual: result.outcome,
    status: result.matches ? 'passed' : 'failed',
    ...(result.matches ? {} : { message: describeMismatch(result) }),
    judgements: result.judgements.map(({ judge, outcome }) => ({ judge, outcome })),
    violations: result.violations.map(({ judge, tier, constraint, path, message, effect }) => ({
      judge,
      tier,
      constraint,
      path: [...path],
      message,
      effect,
    })),
    errors: result.errors.map(({ code, message, policyId }) => ({ code, message, ...(policyId === undefined ? {} : { policyId }) })),
  };
}
