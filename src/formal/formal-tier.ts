import type { NamedNode, Quad, Term } from '@rdfjs/types';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { ToolIndex } from '../glob/tool-index.js';
import { toEvaluationError } from '../evaluation-error.js';
import type { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Action, EvaluationError, Violation } from '../types.js';
import { actionToGraph } from './action-to-rdf.js';
import type { FormalPolicyInfo } from './map-results.js';
import { ResultMapper } from './map-results.js';
import { ShaclRunner } from './shacl-validator.js';
import { parseShapeNode, policyClass } from './vocabulary.js';

/** A policy with a formal part: generated shapes (in the shared runner) or its own hand-written file. */
export interface FormalPolicy extends FormalPolicyInfo {
  readonly tools: readonly string[] | undefined;
  readonly compiled: CompiledPolicy;
  /** Generated shapes' quads; they join the shared shapes graph. */
  readonly shapes?: readonly Quad[];
  /** Hand-written shapes, validated on their own. */
  readonly fileShapes?: readonly Quad[];
}

/** What the formal tier found for one action; each error with the TierguardError to throw under `onError: 'throw'`. */
export interface FormalFindings {
  readonly violations: Violation[];
  readonly errors: { readonly error: EvaluationError; readonly problem: TierguardError }[];
}

interface Runnable {
  readonly policy: FormalPolicy;
  readonly tools: readonly string[] | undefined;
  readonly index: number;
  /** The policy's own validator, for a hand-written shapes file, with the mapper of its results. */
  readonly own?: { readonly runner: ShaclRunner; readonly mapper: ResultMapper };
  readonly policyClass: NamedNode;
}

/**
 * The formal tier of a policy set: one SHACL validator for every generated
 * shape (an action is typed with the classes of the policies that apply to it,
 * and each policy's shapes target only its own class), one per hand-written
 * shapes file, and a tool index so an action no formal policy covers pays nothing.
 */
export class FormalTier {
  private readonly index: ToolIndex<Runnable>;
  private readonly shared: { readonly runner: ShaclRunner; readonly mapper: ResultMapper } | undefined;
  private readonly byId = new Map<string, FormalPolicy>();

  constructor(policies: readonly FormalPolicy[], limits: Limits) {
    const generated = policies.filter((policy) => policy.shapes !== undefined);
    this.shared =
      generated.length > 0
        ? {
            runner: new ShaclRunner(
              generated.flatMap((policy) => policy.shapes ?? []),
              limits,
            ),
            mapper: new ResultMapper((shape) => this.policyOfShape(shape)),
          }
        : undefined;
    const runnables = policies.map((policy) => {
      this.byId.set(policy.id, policy);
      return {
        policy,
        tools: policy.tools,
        index: policy.index,
        policyClass: policyClass(policy.id),
        ...(policy.fileShapes === undefined
          ? {}
          : { own: { runner: new ShaclRunner(policy.fileShapes, limits), mapper: new ResultMapper(() => policy) } }),
      };
    });
    this.index = new ToolIndex<Runnable>(runnables, limits);
  }

  /** True when some formal policy's `tools` match the tool (its `when` is checked later). */
  covers(tool: string): boolean {
    return this.index.lookup(tool).length > 0;
  }

  /**
   * The formal policies that apply to the action (their tools match and their
   * `when` holds), without validating anything: what `evaluateAuto`, which runs
   * no formal tier, must report as not evaluated. A `when` that throws counts
   * as applying: a policy that may apply is never taken to pass.
   */
  applicable(action: Action, tool: string): CompiledPolicy[] {
    const found: CompiledPolicy[] = [];
    for (const runnable of this.index.lookup(tool)) {
      let applies = true;
      try {
        applies = runnable.policy.compiled.applies(action);
      } catch {
        // Kept as applying; evaluate would report this throw as the policy's error.
      }
      if (applies) found.push(runnable.policy.compiled);
    }
    return found;
  }

  /** Validates the action against the formal policies that apply to it. */
  async evaluate(action: Action, tool: string): Promise<FormalFindings> {
    const violations: Violation[] = [];
    const errors: FormalFindings['errors'][number][] = [];
    const applicable: Runnable[] = [];
    for (const runnable of this.index.lookup(tool)) {
      try {
        if (runnable.policy.compiled.applies(action)) applicable.push(runnable);
      } catch (error) {
        errors.push(evaluationError(error, runnable.policy.id));
      }
    }
    if (applicable.length === 0) return { violations, errors };
    const sharedPolicies = applicable.filter((runnable) => runnable.own === undefined);
    let graph;
    try {
      graph = actionToGraph(
        action,
        sharedPolicies.map((runnable) => runnable.policyClass),
      );
    } catch (error) {
      for (const runnable of applicable) errors.push(evaluationError(error, runnable.policy.id));
      return { violations, errors };
    }
    if (this.shared !== undefined && sharedPolicies.length > 0) {
      try {
        const report = await this.shared.runner.validate(graph.dataset);
        violations.push(...this.shared.mapper.map(report, action, graph));
      } catch (error) {
        for (const runnable of sharedPolicies) errors.push(evaluationError(error, runnable.policy.id));
      }
    }
    for (const { own, policy } of applicable) {
      if (own === undefined) continue;
      try {
        const report = await own.runner.validate(graph.dataset);
        violations.push(...own.mapper.map(report, action, graph));
      } catch (error) {
        errors.push(evaluationError(error, policy.id));
      }
    }
    return { violations: violations.sort((left, right) => this.indexOf(left) - this.indexOf(right)), errors };
  }

  private policyOfShape(shape: Term): FormalPolicyInfo | undefined {
    const parsed = parseShapeNode(shape.value);
    return parsed === undefined ? undefined : this.byId.get(parsed.policyId);
  }

  private indexOf(violation: Violation): number {
    return this.byId.get(violation.policyId)?.index ?? Number.MAX_SAFE_INTEGER;
  }
}

function evaluationError(thrown: unknown, policyId: string): FormalFindings['errors'][number] {
  return toEvaluationError(thrown, policyId, 'formal tier: ');
}
