import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/** examples/otel/embed.mjs, the README's library route, run as a user runs it against the built package. */

describe('examples/otel/embed.mjs', () => {
  beforeAll(requireBuild);

  it('exports each decision as a log record and the decision metrics through the SDK it set up', () => {
    const run = spawnSync(
      process.execPath,
      ['examples/otel/embed.mjs', 'examples/policies', 'examples/actions/payment-ok.json', 'examples/actions/payment-over-limit.json'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('examples/actions/payment-ok.json: allow\nexamples/actions/payment-over-limit.json: deny\n');
    expect(run.stdout.match(/eventName: 'tierguard\.decision'/g)).toHaveLength(2);
    expect(run.stdout).toMatch(/severityText: 'INFO'[\s\S]*verdict: 'allow'[\s\S]*severityText: 'WARN'[\s\S]*verdict: 'deny'/);
    for (const metric of ['policy_eval_ms', 'tierguard_decisions']) expect(run.stdout).toContain(`name: '${metric}'`);
  });
});
