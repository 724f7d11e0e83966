import { describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../../../src/engines/opa/opa-cli-adapter.js';
import { engineSkipReason, expectNoTempPath } from '../support.js';
import { DECISIONS, INSTALL_OPA, S3_BINDING, S3_FAIL_VIOLATIONS, fixture } from './fixtures.js';

const opa = createOpaCliAdapter();
const skip = await engineSkipReason(opa, INSTALL_OPA);

describe.skipIf(skip !== undefined)(`opa CLI adapter${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('passes a compliant artifact', async () => {
    const verdict = await opa.evaluate({ path: fixture('s3-pass.json') }, S3_BINDING);
    expect(verdict).toMatchObject({ verdict: 'pass', engine: 'opa', policy: S3_BINDING.policy, violations: [] });
    expect(verdict.error).toBeUndefined();
  });

  it('maps violation objects: msg, id, path, severity (warnings warn, the rest take the effect)', async () => {
    const verdict = await opa.evaluate({ path: fixture('s3-fail.json') }, S3_BINDING);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.violations).toEqual(S3_FAIL_VIOLATIONS);
    const escalated = await opa.evaluate({ path: fixture('s3-fail.json') }, { ...S3_BINDING, effect: 'escalate' });
    expect(escalated.violations.map((v) => v.effect)).toEqual(['warn', 'escalate']);
  });

  it('maps violations given as strings, naming the query as the rule', async () => {
    const verdict = await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, query: 'data.decisions.messages' });
    expect(verdict.violations).toEqual([
      {
        policyId: 'tools.limit',
        tier: 'engine',
        constraint: 'data.decisions.messages',
        path: [],
        message: 'limit 500 is over 100',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
  });

  it('reads boolean rules with result allow and deny', async () => {
    const allow = { ...DECISIONS, options: { result: 'allow' } };
    const deny = { ...DECISIONS, query: 'data.decisions.deny', options: { result: 'deny' } };
    expect((await opa.evaluate({ content: { limit: 5 } }, allow)).verdict).toBe('pass');
    const refused = await opa.evaluate({ content: { limit: 500 } }, allow);
    expect(refused.violations).toEqual([
      {
        policyId: 'tools.limit',
        tier: 'engine',
        constraint: 'data.decisions.allow',
        path: [],
        message: 'data.decisions.allow is false',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expect((await opa.evaluate({ content: { limit: 5 } }, deny)).verdict).toBe('pass');
    expect((await opa.evaluate({ content: { limit: 500 } }, deny)).violations.map((v) => v.message)).toEqual([
      'data.decisions.deny is true',
    ]);
  });

  it('is an error, never a pass, when the query is undefined (a misspelt rule, or allow with no default)', async () => {
    const misspelt = await opa.evaluate({ path: fixture('s3-pass.json') }, { ...S3_BINDING, query: 'data.s3.denny' });
    expect(misspelt.error).toEqual({
      code: 'INVALID_BINDING',
      message: 'the query data.s3.denny is undefined for this policy and input (is the package or rule name right?)',
    });
    const noDefault = await opa.evaluate(
      { content: { limit: 5 } },
      { ...DECISIONS, query: 'data.decisions.over_limit', options: { result: 'deny' } },
    );
    expect(noDefault.error?.code).toBe('INVALID_BINDING');
  });

  it('is an error when the value is not what the result kind reads', async () => {
    const number = await opa.evaluate({ content: { limit: 5 } }, { ...DECISIONS, query: 'data.decisions.count_of_things' });
    expect(number.error?.code).toBe('INVALID_OUTPUT');
    const boolean = await opa.evaluate({ content: { limit: 5 } }, DECISIONS);
    expect(boolean.error?.message).toContain('set the binding option "result" to "allow" or "deny"');
    const iterated = await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, query: 'data.decisions.messages[x]' });
    expect(iterated.error?.code).toBe('INVALID_BINDING');
  });

  it('is an ENGINE_FAILED error naming the problem for a Rego file that does not compile', async () => {
    const verdict = await opa.evaluate(
      { path: fixture('s3-pass.json') },
      { ...S3_BINDING, policy: fixture('broken.rego'), query: 'data.broken.deny' },
    );
    expect(verdict).toMatchObject({ verdict: 'error', violations: [], error: { code: 'ENGINE_FAILED' } });
    expect(verdict.error?.message).toMatch(/^opa exited with 2: rego_parse_error: unexpected } token \(.*broken\.rego:7\)$/);
  });

  it('is an INVALID_ARTIFACT error for malformed JSON, which OPA alone would read as a YAML string', async () => {
    const text = await opa.evaluate({ content: '{"resources": {', format: 'json', name: 'plan.json' }, S3_BINDING);
    expect(text.error?.code).toBe('INVALID_ARTIFACT');
    expect(text.error?.message).toMatch(/^plan\.json is not valid JSON: /);
    expectNoTempPath(text);
    const file = await opa.evaluate({ path: fixture('broken.rego'), format: 'json' }, S3_BINDING);
    expect(file.error?.code).toBe('INVALID_ARTIFACT');
    const code = await opa.evaluate({ content: 'x = 1', format: 'hcl' }, S3_BINDING);
    expect(code.error?.message).toMatch(/^opa reads JSON or YAML input/);
  });

  it('reads YAML artifacts, as files and as content', async () => {
    const file = await opa.evaluate({ path: fixture('s3-fail.yaml') }, S3_BINDING);
    expect(file.violations.map((v) => v.constraint)).toEqual(['s3-public-acl']);
    const content = await opa.evaluate({ content: 'resources: {}\n', format: 'yaml' }, S3_BINDING);
    expect(content.verdict).toBe('pass');
  });

  it('evaluates a policy directory', async () => {
    const binding = { ...S3_BINDING, policy: fixture('with-lib'), query: 'data.withlib.deny' };
    expect((await opa.evaluate({ content: { limit: 500 } }, binding)).violations.map((v) => v.message)).toEqual(['limit too big']);
  });

  it('rejects bindings it cannot run', async () => {
    const noQuery = await opa.evaluate({ path: fixture('s3-pass.json') }, { ...S3_BINDING, query: ' ' });
    expect(noQuery.error?.code).toBe('INVALID_BINDING');
    const unknown = await opa.evaluate({ path: fixture('s3-pass.json') }, { ...S3_BINDING, options: { entrypoint: 'x' } });
    expect(unknown.error).toEqual({ code: 'INVALID_BINDING', message: 'unknown opa option "entrypoint" (known: result)' });
    const kind = await opa.evaluate({ path: fixture('s3-pass.json') }, { ...S3_BINDING, options: { result: 'maybe' } });
    expect(kind.error?.code).toBe('INVALID_BINDING');
  });

  it('reads a too-large set of violations as LIMIT_EXCEEDED', async () => {
    const small = createOpaCliAdapter({ limits: { maxSarifResults: 1 } });
    const verdict = await small.evaluate({ path: fixture('s3-fail.json') }, S3_BINDING);
    expect(verdict.error).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: 'the query data.s3.deny gave 2 violations, more than the limit of 1',
    });
  });
});
