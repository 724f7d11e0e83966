import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

describe('npm run demo', () => {
  beforeAll(requireBuild);

  it('evaluates every example action and response and prints one row per finding or rewrite', () => {
    const run = spawnSync(process.execPath, ['examples/demo.mjs', 'examples/policies', 'examples/actions', 'examples/responses'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout
      .split('\n')
      .filter((line) => line.endsWith('.json') || /\.json\s/.test(line))
      .map((line) => line.split(/\s{2,}/));
    const verdictOf = (file: string) => rows.find((row) => row[0] === file)?.[1];
    expect(verdictOf('payment-ok.json')).toBe('allow');
    expect(verdictOf('payment-over-limit.json')).toBe('deny');
    expect(verdictOf('payment-needs-review.json')).toBe('escalate');
    expect(verdictOf('backup-dev.json')).toBe('deny');
    expect(verdictOf('backup-admin.json')).toBe('allow');
    expect(verdictOf('temp-below-absolute-zero.json')).toBe('deny');
    expect(verdictOf('temp-ok.json')).toBe('allow');
    expect(verdictOf('contact-create-ok.json')).toBe('allow');
    expect(verdictOf('contact-create-bad-zip.json')).toBe('deny');
    expect(verdictOf('schedule-ok.json')).toBe('allow');
    expect(verdictOf('schedule-ends-before-start.json')).toBe('deny');
    expect(verdictOf('order-ok.json')).toBe('allow');
    expect(verdictOf('order-bad-lines.json')).toBe('deny');
    expect(verdictOf('ticket-ok.json')).toBe('allow');
    expect(verdictOf('ticket-bad-priority.json')).toBe('deny');
    expect(rows.find((row) => row[0] === 'order-bad-lines.json' && row[3] === 'arguments.lines[1].sku')).toEqual([
      'order-bad-lines.json',
      'deny',
      'orders.purchase-order',
      'arguments.lines[1].sku',
      'arguments.lines[1].sku must match regex "^[A-Z]{3}-[0-9]{4}$" (got "abc-12")',
    ]);
    // Monitor mode, rewrites and response sanitisation.
    expect(rows.find((row) => row[0] === 'search-internal.json' && row[2] === 'search.no-internal-index')).toEqual([
      'search-internal.json',
      'would_deny',
      'search.no-internal-index',
      'arguments.index',
      'the "internal" index is not for agents',
    ]);
    expect(rows.filter((row) => row[0] === 'search-unbounded.json')).toEqual([
      ['search-unbounded.json', 'allow', 'search.result-limit', 'arguments.limit', 'rewritten: cap_value to 100'],
    ]);
    expect(rows.filter((row) => row[0] === 'http-with-credentials.json')).toEqual([
      ['http-with-credentials.json', 'allow', 'http.no-credentials-in-logs', 'arguments.headers.authorization', 'rewritten: remove_field'],
    ]);
    expect(rows.filter((row) => row[0] === 'env-with-key.json').map((row) => row[2])).toEqual([
      'output.strip-ansi',
      'output.redact-api-keys',
    ]);
    expect(run.stdout).toContain('status-coloured.json: "ALERT disk 97% full"');
    expect(run.stdout).toContain('env-with-key.json: "HOME=/home/agent\\nOPENAI_KEY=[redacted api key]"');
    expect(run.stdout).not.toContain('sk-abcdefghijklmnop1234');
    expect(rows.find((row) => row[0] === 'backup-dev.json')).toEqual([
      'backup-dev.json',
      'deny',
      'database.backup-roles',
      'context.user.roles',
      'database.backup needs the role admin or dba (caller has ["dev"])',
    ]);
  });
});
