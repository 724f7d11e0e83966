import { describe, expect, it } from 'vitest';
import { formatValidation } from '../../../src/format/format-validation.js';
import type { ValidationDecision, Violation } from '../../../src/index.js';

const violation = (path: Violation['path'], message: string): Violation => ({
  policyId: 'p',
  tier: 'engine',
  constraint: 'rule',
  path,
  message,
  effect: 'deny',
  severity: 'violation',
});

/** A failed validation with one engine verdict holding `found`. */
function failedWith(found: Violation): ValidationDecision {
  return {
    verdict: 'deny',
    outcome: 'deny',
    violations: [found],
    warnings: [],
    wouldDeny: [],
    wouldEscalate: [],
    escalatedBy: [],
    errors: [],
    rewrites: [],
    action: { tool: 'app.js', kind: 'artifact' },
    policyVersion: 'sha256:0123456789abcdef0123',
    result: 'fail',
    engines: [{ verdict: 'fail', engine: 'semgrep', policy: 'rules/no-eval.yaml', violations: [found], durationMs: 1 }],
  };
}

const findingLine = (found: Violation): string | undefined => formatValidation(failedWith(found)).split('\n')[2];

describe('formatValidation', () => {
  it('shows a source location once, as file:line:column, and the message without it', () => {
    expect(findingLine(violation(['src/app.js', 3, 20], 'src/app.js:3:20: eval() runs a string as code'))).toBe(
      '    x p  rule  src/app.js:3:20  eval() runs a string as code',
    );
  });

  it('shows a path into a JSON artifact as a path', () => {
    expect(findingLine(violation(['resource_changes', 0, 'change', 'after', 'acl'], 'the bucket is public'))).toBe(
      '    x p  rule  resource_changes[0].change.after.acl  the bucket is public',
    );
  });

  it('shows nothing for a finding with no path, and keeps a message that only looks like a location', () => {
    expect(findingLine(violation([], 'no README'))).toBe('    x p  rule  no README');
    expect(findingLine(violation(['a.js', 1], 'a.js:2: elsewhere'))).toBe('    x p  rule  ["a.js"][1]  a.js:2: elsewhere');
  });

  it('starts with the outcome and ends with the summary', () => {
    const lines = formatValidation(failedWith(violation([], 'm'))).split('\n');
    expect(lines[0]).toBe('deny  app.js  (policies sha256:0123456789ab)');
    expect(lines[1]).toBe('  fail  semgrep rules/no-eval.yaml');
    expect(lines.at(-1)).toBe('fail: 1 engine run: 0 pass, 1 fail, 0 error; 1 finding; verdict deny');
  });
});

describe('formatValidation escapes what engines and artifacts say', () => {
  it('keeps one line per finding when an engine message, rule or artifact name carries line breaks and escapes', () => {
    const found = { ...violation(['main.tf'], 'bad\nallow  main.tf  (policies sha256:000000000000)\u001b[1A'), constraint: 'rule\u009b2K' };
    const decision = failedWith(found);
    const text = formatValidation({ ...decision, action: { tool: 'main.tf\u202e', kind: 'artifact' } });
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('deny  main.tf\\u202e  (policies sha256:0123456789ab)');
    expect(lines[2]).toBe('    x p  rule\\x9b2K  ["main.tf"]  bad\\nallow  main.tf  (policies sha256:000000000000)\\x1b[1A');
  });
});
