import { describe, expect, it } from 'vitest';
import { isTierguardError } from '../../../../src/errors.js';
import { createGatewayMetrics, EVAL_MS_BUCKETS, escapeLabelValue, PROMETHEUS_CONTENT_TYPE } from '../../../../src/mcp/gateway/metrics.js';

/** One sample line of the text format: its metric name, labels and value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * A small reader of Prometheus text format 0.0.4, strict where a writer can go
 * wrong: every sample line is `name{labels} value`, label values are quoted with
 * only `\\`, `\"` and `\n` escapes, every metric has its HELP and TYPE before
 * its samples, and the text ends in a newline.
 */
function parse(text: string): { readonly types: Map<string, string>; readonly samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment !== null) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (kind === 'HELP') helped.add(name);
      else {
        expect(['counter', 'histogram', 'gauge', 'summary', 'untyped']).toContain(rest);
        expect(types.has(name)).toBe(false);
        types.set(name, rest);
      }
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText = '', valueText] = match as unknown as [string, string, string | undefined, string];
    const family = name.replace(/_(bucket|sum|count)$/, '');
    const familyName = types.has(name) ? name : family;
    expect(types.has(familyName) && helped.has(familyName), `HELP and TYPE before ${name}`).toBe(true);
    samples.push({ name, labels: parseLabels(labelText), value: valueText === '+Inf' ? Infinity : Number(valueText) });
  }
  return { types, samples };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (match === null) throw new Error(`bad labels: ${JSON.stringify(rest)}`);
    const [whole, name, raw] = match as unknown as [string, string, string];
    labels[name] = raw.replace(/\\([\\"n])/g, (_, char: string) => (char === 'n' ? '\n' : char));
    rest = rest.slice(whole.length);
  }
  return labels;
}

describe('gateway metrics', () => {
  it('renders the exact text for a few observations', () => {
    const metrics = createGatewayMetrics();
    metrics.observeDecision({ method: 'tools/call', verdict: 'allow', evalMs: 0.25 });
    metrics.observeDecision({ method: 'tools/call', verdict: 'deny', evalMs: 3 });
    metrics.observeDecision({ method: 'tools/call', verdict: 'allow', wouldDeny: true, evalMs: 20_000 });
    const observe = metrics.observeDecision;
    observe({ method: 'resources/read', verdict: 'escalate', evalMs: 1 });
    observe({ method: 'resources/read', verdict: 'allow', outcome: 'would_escalate', evalMs: Number.NaN });
    const buckets = (method: string, counts: readonly number[]): string[] =>
      EVAL_MS_BUCKETS.map((bound, index) => `policy_eval_ms_bucket{method="${method}",le="${bound}"} ${counts[index] ?? 0}`);
    expect(metrics.renderPrometheusText()).toBe(
      [
        '# HELP policy_eval_ms Time the policies took to decide one request, in milliseconds.',
        '# TYPE policy_eval_ms histogram',
        ...buckets('tools/call', [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
        'policy_eval_ms_bucket{method="tools/call",le="+Inf"} 3',
        'policy_eval_ms_sum{method="tools/call"} 20003.25',
        'policy_eval_ms_count{method="tools/call"} 3',
        ...buckets('resources/read', [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        'policy_eval_ms_bucket{method="resources/read",le="+Inf"} 1',
        'policy_eval_ms_sum{method="resources/read"} 1',
        'policy_eval_ms_count{method="resources/read"} 1',
        '# HELP tierguard_decisions_total Decisions the policies made, by method and verdict.',
        '# TYPE tierguard_decisions_total counter',
        'tierguard_decisions_total{method="tools/call",verdict="allow"} 1',
        'tierguard_decisions_total{method="tools/call",verdict="deny"} 1',
        'tierguard_decisions_total{method="tools/call",verdict="would_deny"} 1',
        'tierguard_decisions_total{method="resources/read",verdict="escalate"} 1',
        'tierguard_decisions_total{method="resources/read",verdict="would_escalate"} 1',
        '',
      ].join('\n'),
    );
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('renders HELP and TYPE alone before any observation', () => {
    const { types, samples } = parse(createGatewayMetrics().renderPrometheusText());
    expect([...types]).toEqual([
      ['policy_eval_ms', 'histogram'],
      ['tierguard_decisions_total', 'counter'],
    ]);
    expect(samples).toEqual([]);
  });

  it('escapes backslash, double quote and line feed in label values, and parses back to the same values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const name = 'fs "main"\\\nsecond line';
    const metrics = createGatewayMetrics({ constLabels: { gateway: name } });
    metrics.observeDecision({ method: 'prompts/get', verdict: 'deny', evalMs: 0.01 });
    const text = metrics.renderPrometheusText();
    expect(text).toContain('tierguard_decisions_total{gateway="fs \\"main\\"\\\\\\nsecond line",method="prompts/get",verdict="deny"} 1');
    for (const sample of parse(text).samples) expect(sample.labels['gateway']).toBe(name);
  });

  it('keeps buckets cumulative, ending at the count, with the sum of what was timed', () => {
    const metrics = createGatewayMetrics();
    const times = [0, 0.01, 0.025, 0.03, 0.7, 1, 1.5, 2, 2.01, 9, 99, 1234, 9999, 10_000, 10_001, -5];
    for (const evalMs of times) metrics.observeDecision({ method: 'tools/call', verdict: 'allow', evalMs });
    metrics.observeDecision({ method: 'tools/call', verdict: 'allow', evalMs: Number.NaN });
    metrics.observeDecision({ method: 'tools/call', verdict: 'allow', evalMs: Infinity });
    const { samples } = parse(metrics.renderPrometheusText());
    const buckets = samples.filter((sample) => sample.name === 'policy_eval_ms_bucket');
    expect(buckets.map((sample) => sample.labels['le'])).toEqual([...EVAL_MS_BUCKETS.map(String), '+Inf']);
    for (const [index, sample] of buckets.entries()) {
      const bound = sample.labels['le'] === '+Inf' ? Infinity : Number(sample.labels['le']);
      // A bucket counts every observation at or below its bound (a negative time is timed as 0).
      expect(sample.value).toBe(times.filter((time) => Math.max(0, time) <= bound).length);
      if (index > 0) expect(sample.value).toBeGreaterThanOrEqual(buckets[index - 1]?.value ?? 0);
    }
    expect(samples.find((sample) => sample.name === 'policy_eval_ms_count')?.value).toBe(times.length);
    expect(samples.find((sample) => sample.name === 'policy_eval_ms_sum')?.value).toBeCloseTo(
      times.reduce((sum, time) => sum + Math.max(0, time), 0),
      6,
    );
    // Every decision is counted, timed or not.
    expect(samples.find((sample) => sample.name === 'tierguard_decisions_total')?.value).toBe(times.length + 2);
  });

  it('bounds the label values: unknown methods and verdicts are other', () => {
    const metrics = createGatewayMetrics();
    for (let index = 0; index < 1000; index += 1) metrics.observeDecision({ method: `made/up/${index}`, verdict: 'allow', evalMs: 1 });
    metrics.observeDecision({ method: '__proto__', verdict: 'maybe' as 'allow', evalMs: 1 });
    metrics.observeDecision({ method: 'ping', verdict: 'deny', outcome: 'toString' as 'deny', evalMs: 1 });
    metrics.observeDecision({ method: 'toString', verdict: 'deny', evalMs: 1 });
    const { samples } = parse(metrics.renderPrometheusText());
    expect(new Set(samples.map((sample) => sample.labels['method']))).toEqual(new Set(['ping', 'other']));
    expect(
      samples
        .filter((sample) => sample.name === 'tierguard_decisions_total')
        .map((sample) => [sample.labels['method'], sample.labels['verdict'], sample.value]),
    ).toEqual([
      ['ping', 'other', 1],
      ['other', 'allow', 1000],
      ['other', 'deny', 1],
      ['other', 'other', 1],
    ]);
  });

  it('refuses constant labels Prometheus would not take or that clash with its own', () => {
    for (const name of ['method', 'le', 'verdict', '__name', '9lives', 'a-b']) {
      expect(() => createGatewayMetrics({ constLabels: { [name]: 'x' } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
    let thrown: unknown;
    try {
      createGatewayMetrics({ constLabels: { gateway: 42 as unknown as string } });
    } catch (error) {
      thrown = error;
    }
    expect(isTierguardError(thrown)).toBe(true);
  });
});
