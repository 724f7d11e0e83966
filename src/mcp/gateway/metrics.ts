import { TierguardError } from '../../errors.js';
import type { Outcome, Verdict } from '../../types.js';

/** The histogram of decision times: one series per method. */
export const EVAL_MS_METRIC = 'policy_eval_ms';

/** The counter of decisions: one series per method and verdict. */
export const DECISIONS_METRIC = 'tierguard_decisions_total';

/** The gauge naming the policy version serving: one series, `policy_version="sha256:…"`, of value 1. */
export const POLICY_VERSION_METRIC = 'tierguard_policy_version_info';

/** The `Content-Type` of {@link GatewayMetrics.renderPrometheusText}'s output: text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Upper bounds of the decision-time buckets, in milliseconds: fine below the
 * 2 ms a decision should take at p99, coarse up to the 10 s a stuck engine
 * binding could take. Fixed, so every gateway's series line up.
 */
export const EVAL_MS_BUCKETS: readonly number[] = Object.freeze([
  0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

/**
 * The MCP request methods a series may be labelled with; any other method is
 * counted as `other`, so a client sending made-up method names cannot grow the
 * number of series.
 */
export const METRIC_METHODS: readonly string[] = Object.freeze([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'other',
]);

/** The verdict labels, in the order they are rendered; an unknown verdict is counted as `other`. */
export const METRIC_VERDICTS: readonly string[] = Object.freeze(['allow', 'deny', 'escalate', 'would_deny', 'would_escalate', 'other']);

/**
 * One decision to record. An audit event's or the gateway's decision
 * observation (`{ method, verdict, outcome, evalMs, ... }`) is one as it is.
 */
export interface ObservedDecision {
  /** The MCP method judged (`tools/call`). */
  readonly method: string;
  /** The decision's verdict. */
  readonly verdict: Verdict;
  /** True when monitor mode allowed what enforce mode would deny: counted as `would_deny` instead of `allow`. */
  readonly wouldDeny?: boolean | undefined;
  /** The verdict, or `would_deny` / `would_escalate` in monitor mode; when given, the label it is counted under. */
  readonly outcome?: Outcome | undefined;
  /** How long the policies took, in milliseconds. */
  readonly evalMs: number;
}

/** Options for {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /** Labels put on every series, such as the gateway's name: `{ gateway: "fs" }`. */
  readonly constLabels?: Readonly<Record<string, string>>;
  /**
   * The version of the policies serving now (`watcher.engine.version`), read at
   * each render for the `tierguard_policy_version_info` gauge, so a fleet's
   * dashboards show which bundle hash each instance serves; none, no gauge.
   */
  readonly policyVersion?: () => string | null | undefined;
}

/** A registry of the gateway's metrics. */
export interface GatewayMetrics {
  /**
   * Records one decision: one count under its method and outcome, and its time
   * in the method's histogram. A time that is not a finite number is counted but
   * not timed (it would make the sum meaningless forever); a negative one is timed as 0.
   */
  readonly observeDecision: (observation: ObservedDecision) => void;
  /** Every series observed so far, in Prometheus text exposition format 0.0.4, ending in a newline. */
  readonly renderPrometheusText: () => string;
}

interface Histogram {
  /** Observations per bucket, not cumulative; the last is those above every bound (`+Inf`). */
  readonly counts: number[];
  sum: number;
  count: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['method', 'verdict', 'le', 'policy_version']);

/**
 * A metrics registry with no dependency: the `policy_eval_ms` histogram by
 * `method` and the `tierguard_decisions_total` counter by `method` and `verdict`.
 * Each decision counts once: a monitor-mode decision that would deny counts as
 * `would_deny` (one that would escalate as `would_escalate`), not as `allow`.
 * `observeDecision` reads no `this`, so it can be passed on as a function. Throws `INVALID_OPTIONS` for a constant label
 * whose name Prometheus would refuse or that clashes with `method`, `verdict` or `le`.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const constLabels = checkedLabels(options.constLabels ?? {});
  const { policyVersion } = options;
  if (policyVersion !== undefined && typeof policyVersion !== 'function') {
    throw new TierguardError('INVALID_OPTIONS', 'policyVersion must be a function returning the version serving', {
      option: 'policyVersion',
    });
  }
  const histograms = new Map<string, Histogram>();
  const decisions = new Map<string, number>();
  return {
    observeDecision(observation) {
      const method = METRIC_METHODS.includes(observation.method) ? observation.method : 'other';
      const label = observation.outcome ?? (observation.wouldDeny === true ? 'would_deny' : observation.verdict);
      const verdict = METRIC_VERDICTS.includes(label) ? label : 'other';
      const key = `${method} ${verdict}`;
      decisions.set(key, (decisions.get(key) ?? 0) + 1);
      const ms = observation.evalMs;
      if (typeof ms !== 'number' || !Number.isFinite(ms)) return;
      const histogram = histograms.get(method) ?? { counts: new Array<number>(EVAL_MS_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      histograms.set(method, histogram);
      const value = Math.max(0, ms);
      const bucket = EVAL_MS_BUCKETS.findIndex((bound) => value <= bound);
      const at = bucket === -1 ? EVAL_MS_BUCKETS.length : bucket;
      histogram.counts[at] = (histogram.counts[at] ?? 0) + 1;
      histogram.sum += value;
      histogram.count += 1;
    },
    renderPrometheusText() {
      const lines = [
        `# HELP ${EVAL_MS_METRIC} Time the policies took to decide one request, in milliseconds.`,
        `# TYPE ${EVAL_MS_METRIC} histogram`,
      ];
      for (const method of METRIC_METHODS) {
        const histogram = histograms.get(method);
        if (histogram === undefined) continue;
        const labels = [...constLabels, ['method', method] as const];
        let cumulative = 0;
        EVAL_MS_BUCKETS.forEach((bound, index) => {
          cumulative += histogram.counts[index] ?? 0;
          lines.push(`${EVAL_MS_METRIC}_bucket${labelText([...labels, ['le', formatNumber(bound)]])} ${cumulative}`);
        });
        lines.push(`${EVAL_MS_METRIC}_bucket${labelText([...labels, ['le', '+Inf']])} ${histogram.count}`);
        lines.push(`${EVAL_MS_METRIC}_sum${labelText(labels)} ${formatNumber(histogram.sum)}`);
        lines.push(`${EVAL_MS_METRIC}_count${labelText(labels)} ${histogram.count}`);
      }
      lines.push(`# HELP ${DECISIONS_METRIC} Decisions the policies made, by method and verdict.`, `# TYPE ${DECISIONS_METRIC} counter`);
      for (const method of METRIC_METHODS) {
        for (const verdict of METRIC_VERDICTS) {
          const count = decisions.get(`${method} ${verdict}`);
          if (count !== undefined)
            lines.push(`${DECISIONS_METRIC}${labelText([...constLabels, ['method', method], ['verdict', verdict]])} ${count}`);
        }
      }
      const version = readVersion(policyVersion);
      if (version !== undefined) {
        lines.push(
          `# HELP ${POLICY_VERSION_METRIC} The version (content hash) of the policies serving, as the policy_version label.`,
          `# TYPE ${POLICY_VERSION_METRIC} gauge`,
          `${POLICY_VERSION_METRIC}${labelText([...constLabels, ['policy_version', version]])} 1`,
        );
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

/** The version a provider gives, or `undefined` when it has none or throws (a scrape must not fail for it). */
function readVersion(provider: (() => string | null | undefined) | undefined): string | undefined {
  try {
    const version = provider?.();
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** A label value as the text format writes it between quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

function labelText(labels: readonly (readonly [string, string])[]): string {
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

// Go's float formatting, which Prometheus reads: integers without a point, infinities as +Inf/-Inf.
function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function checkedLabels(labels: Readonly<Record<string, string>>): (readonly [string, string])[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TierguardError('INVALID_OPTIONS', 'constLabels must be an object of label names to string values', { option: 'constLabels' });
  }
  return Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || RESERVED_LABELS.has(name)) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        `constLabels: ${JSON.stringify(name)} is not a label name a gateway can use (a Prometheus name, not __-prefixed, not method, verdict, le or policy_version)`,
        {
          option: `constLabels.${name}`,
        },
      );
    }
    if (typeof value !== 'string') {
      throw new TierguardError('INVALID_OPTIONS', `constLabels.${name} must be a string`, { option: `constLabels.${name}`, actual: value });
    }
    return [name, value] as const;
  });
}
