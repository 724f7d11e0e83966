import { describe, expect, it } from 'vitest';
import { POLICY_VERSION_METRIC, createGatewayMetrics } from '../../../../src/mcp/gateway/metrics.js';

/** The `tierguard_policy_version_info` gauge: which policy version (bundle hash) an instance serves, read at each scrape. */

describe('createGatewayMetrics({ policyVersion })', () => {
  it('renders one gauge series naming the version serving at each scrape, with the constant labels', () => {
    let version = `sha256:${'a'.repeat(64)}`;
    const metrics = createGatewayMetrics({ constLabels: { gateway: 'fs' }, policyVersion: () => version });
    expect(metrics.renderPrometheusText()).toContain(
      `# TYPE ${POLICY_VERSION_METRIC} gauge\n${POLICY_VERSION_METRIC}{gateway="fs",policy_version="${version}"} 1\n`,
    );
    version = `sha256:${'b'.repeat(64)}`;
    const text = metrics.renderPrometheusText();
    expect(text).toContain(`policy_version="${version}"} 1`);
    expect(text).not.toContain('a'.repeat(64));
  });

  it('renders no gauge without a version, or when the provider throws, and never fails the scrape', () => {
    expect(createGatewayMetrics().renderPrometheusText()).not.toContain(POLICY_VERSION_METRIC);
    expect(createGatewayMetrics({ policyVersion: () => undefined }).renderPrometheusText()).not.toContain(POLICY_VERSION_METRIC);
    const throwing = createGatewayMetrics({
      policyVersion: () => {
        throw new Error('no engine yet');
      },
    });
    expect(throwing.renderPrometheusText()).not.toContain(POLICY_VERSION_METRIC);
  });

  it('refuses a constant label policy_version, which the gauge uses, and a provider that is not a function', () => {
    expect(() => createGatewayMetrics({ constLabels: { policy_version: 'x' } })).toThrow(/policy_version/);
    expect(() => createGatewayMetrics({ policyVersion: 'sha256:x' as never })).toThrow(/policyVersion must be a function/);
  });
});
