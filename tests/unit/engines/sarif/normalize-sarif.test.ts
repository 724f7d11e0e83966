import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeSarif } from '../../../../src/engines/sarif/normalize-sarif.js';
import type { NormalizeSarifOptions, SarifNormalization } from '../../../../src/engines/sarif/normalize-sarif.js';
import { DEFAULT_ENGINE_LIMITS } from '../../../../src/limits.js';
import type { Violation } from '../../../../src/types.js';

const FIXTURES = new URL('../../../fixtures/engines/sarif/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const OPTIONS: NormalizeSarifOptions = { policyId: 'code.no-eval' };

/** A minimal SARIF log with one run. */
function log(results: unknown[], rules: unknown[] = [], run: Record<string, unknown> = {}): unknown {
  return { version: '2.1.0', runs: [{ tool: { driver: { name: 't', rules } }, results, ...run }] };
}

function violations(outcome: SarifNormalization): readonly Violation[] {
  if (!outcome.ok) throw new Error(`expected violations, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.violations;
}

function errorOf(outcome: SarifNormalization): { code: string; message: string } {
  if (outcome.ok) throw new Error('expected an error result');
  return outcome.error;
}

const at = (uri: string, startLine?: number, startColumn?: number): unknown => ({
  physicalLocation: { artifactLocation: { uri }, region: { startLine, startColumn } },
});

describe('normalizeSarif on real engine output', () => {
  it('maps a Semgrep finding: level from the rule default, location, rule id', () => {
    expect(violations(normalizeSarif(fixture('semgrep-no-eval.sarif'), OPTIONS))).toEqual([
      {
        policyId: 'code.no-eval',
        tier: 'engine',
        constraint: 'sg.no-eval',
        path: ['sg/bad.js', 2, 11],
        // The rule's help repeats the message, so it adds nothing.
        message: 'sg/bad.js:2:11: Do not call eval(); it runs arbitrary code.',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
  });

  it('maps Checkov findings, keeping what the help adds to the message', () => {
    const found = violations(normalizeSarif(fixture('checkov-s3-public.sarif'), { policyId: 's3', effect: 'escalate' }));
    expect(found.map((v) => [v.constraint, v.path, v.effect, v.severity])).toEqual([
      ['CKV_AWS_18', ['main.tf', 1], 'escalate', 'violation'],
      ['CKV_AWS_20', ['main.tf', 1], 'escalate', 'violation'],
    ]);
    expect(found[1]?.message).toBe(
      'main.tf:1: S3 Bucket has an ACL defined which allows public READ access. Help: Resource: aws_s3_bucket.logs',
    );
  });

  it('maps location files through locationFile before scrubbing them, leaving messages otherwise alone', () => {
    const found = violations(
      normalizeSarif(fixture('checkov-s3-public.sarif'), {
        policyId: 's3',
        locationFile: (file) => (file === 'main.tf' ? 'infra/main.tf' : file),
        scrub: (text) => text.replaceAll('infra/', 'stacks/'),
      }),
    );
    expect(found.map((v) => v.path)).toEqual([
      ['stacks/main.tf', 1],
      ['stacks/main.tf', 1],
    ]);
    expect(found[1]?.message.startsWith('stacks/main.tf:1: S3 Bucket has an ACL')).toBe(true);
  });

  it('keeps results when the tool only warns about its run (a syntax error Semgrep recovered from)', () => {
    expect(violations(normalizeSarif(fixture('semgrep-syntax-warning.sarif'), OPTIONS))).toHaveLength(1);
  });
});

describe('normalizeSarif levels', () => {
  const rule = (id: string, level?: string): unknown => ({ id, ...(level === undefined ? {} : { defaultConfiguration: { level } }) });
  const result = (ruleId: string, level?: string): unknown => ({
    ruleId,
    message: { text: ruleId },
    ...(level === undefined ? {} : { level }),
  });
  const levels = (sarif: unknown, options: Partial<NormalizeSarifOptions> = {}): [string, string, string][] =>
    violations(normalizeSarif(sarif, { ...OPTIONS, ...options })).map((v) => [v.constraint, v.severity, v.effect]);

  it("takes the result's level, else the rule's default, else warning", () => {
    const sarif = log(
      [result('a', 'note'), result('b'), result('c'), result('d', 'error')],
      [rule('a', 'error'), rule('b', 'error'), rule('c'), rule('d', 'note')],
    );
    expect(levels(sarif)).toEqual([
      ['a', 'info', 'warn'],
      ['b', 'violation', 'deny'],
      ['c', 'warning', 'warn'],
      ['d', 'violation', 'deny'],
    ]);
  });

  it('drops `none`, whether from the result or from the rule default', () => {
    const sarif = log([result('a', 'none'), result('b'), result('c', 'warning')], [rule('b', 'none'), rule('c', 'none')]);
    expect(levels(sarif)).toEqual([['c', 'warning', 'warn']]);
  });

  it('ignores a level that is not a SARIF level and falls back', () => {
    expect(levels(log([result('a', 'fatal')], [rule('a', 'error')]))).toEqual([['a', 'violation', 'deny']]);
    expect(levels(log([result('a', 'fatal')]))).toEqual([['a', 'warning', 'warn']]);
  });

  it('drops results below minLevel', () => {
    const sarif = log([result('e', 'error'), result('n', 'note'), result('w', 'warning')]);
    expect(levels(sarif, { minLevel: 'note' }).map(([id]) => id)).toEqual(['e', 'n', 'w']);
    expect(levels(sarif, { minLevel: 'warning' }).map(([id]) => id)).toEqual(['e', 'w']);
    expect(levels(sarif, { minLevel: 'error' }).map(([id]) => id)).toEqual(['e']);
  });

  it('lets levelOf override a level by rule id, before `none` and minLevel drop results', () => {
    const sarif = log([result('kept', 'none'), result('raised', 'note'), result('as-given', 'warning')]);
    const levelOf: NonNullable<NormalizeSarifOptions['levelOf']> = (ruleId, level) =>
      ruleId === 'kept' ? 'note' : ruleId === 'raised' ? 'error' : level;
    expect(levels(sarif, { levelOf })).toEqual([
      ['as-given', 'warning', 'warn'],
      ['kept', 'info', 'warn'],
      ['raised', 'violation', 'deny'],
    ]);
    expect(levels(sarif, { levelOf, minLevel: 'warning' }).map(([id]) => id)).toEqual(['as-given', 'raised']);
  });

  it('drops results that are not failures, and suppressed ones unless the suppression was rejected', () => {
    const sarif = log([
      { ...(result('pass', 'error') as object), kind: 'pass' },
      { ...(result('review', 'error') as object), kind: 'review' },
      { ...(result('fail', 'error') as object), kind: 'fail' },
      { ...(result('suppressed', 'error') as object), suppressions: [{ kind: 'inSource' }] },
      { ...(result('accepted', 'error') as object), suppressions: [{ kind: 'external', status: 'accepted' }] },
      { ...(result('rejected', 'error') as object), suppressions: [{ kind: 'external', status: 'rejected' }] },
    ]);
    expect(levels(sarif).map(([id]) => id)).toEqual(['fail', 'rejected']);
  });
});

describe('normalizeSarif rules and messages', () => {
  it('finds the rule by ruleIndex, by rule.index, or by id', () => {
    const rules = [
      { id: 'first', defaultConfiguration: { level: 'note' } },
      { id: 'second', defaultConfiguration: { level: 'error' } },
    ];
    const found = violations(
      normalizeSarif(
        log(
          [
            { ruleIndex: 1, message: { text: 'by ruleIndex' } },
            { rule: { index: 0 }, message: { text: 'by rule.index' } },
            { ruleId: 'second', message: { text: 'by id' } },
            { ruleIndex: 7, message: { text: 'no such index' } },
          ],
          rules,
        ),
        OPTIONS,
      ),
    );
    expect(found.map((v) => [v.message, v.constraint, v.severity])).toEqual([
      ['no such index', '(unknown rule)', 'warning'],
      ['by rule.index', 'first', 'info'],
      ['by id', 'second', 'violation'],
      ['by ruleIndex', 'second', 'violation'],
    ]);
  });

  it("fills a rule's message string from the result's arguments", () => {
    const rules = [{ id: 'r', messageStrings: { default: { text: 'bucket {0} is {1}; {9} stays' } } }];
    const found = violations(
      normalizeSarif(log([{ ruleId: 'r', message: { id: 'default', arguments: ['logs', 'public'] } }], rules), OPTIONS),
    );
    expect(found[0]?.message).toBe('bucket logs is public; {9} stays');
  });

  it('adds help text and help URI as remediation, and falls back to the rule id for a message', () => {
    const rules = [{ id: 'r', help: { text: 'Use JSON.parse.\nNever eval.' }, helpUri: 'https://example.test/r' }];
    const found = violations(normalizeSarif(log([{ ruleId: 'r' }], rules), OPTIONS));
    expect(found[0]?.message).toBe('r Help: Use JSON.parse. Never eval. (see https://example.test/r)');
  });
});

describe('normalizeSarif locations', () => {
  const paths = (locations: unknown, run: Record<string, unknown> = {}, options: Partial<NormalizeSarifOptions> = {}): unknown[] =>
    violations(normalizeSarif(log([{ ruleId: 'r', message: { text: 'm' }, locations }], [], run), { ...OPTIONS, ...options })).map((v) => [
      v.path,
      v.message,
    ]);

  it('puts file, line and column into the path and in front of the message', () => {
    expect(paths([at('src/a.js', 3, 7)])).toEqual([[['src/a.js', 3, 7], 'src/a.js:3:7: m']]);
    expect(paths([at('src/a.js', 3)])).toEqual([[['src/a.js', 3], 'src/a.js:3: m']]);
    expect(paths([at('src/a.js')])).toEqual([[['src/a.js'], 'src/a.js: m']]);
    // A column without a line says nothing a person can find.
    expect(paths([at('src/a.js', undefined, 7)])).toEqual([[['src/a.js'], 'src/a.js: m']]);
  });

  it('has an empty path when there is no usable location', () => {
    expect(paths(undefined)).toEqual([[[], 'm']]);
    expect(paths([])).toEqual([[[], 'm']]);
    expect(paths([{ logicalLocations: [{ name: 'x' }] }])).toEqual([[[], 'm']]);
    expect(paths([at('a.js', 0, -1)])).toEqual([[['a.js'], 'a.js: m']]);
  });

  it('decodes file URLs and percent-encoding, and follows an artifact index', () => {
    expect(paths([at('file:///srv/my%20repo/a.js', 1, 1)])).toEqual([[['/srv/my repo/a.js', 1, 1], '/srv/my repo/a.js:1:1: m']]);
    expect(paths([at('bad%zzescape.js', 1)])).toEqual([[['bad%zzescape.js', 1], 'bad%zzescape.js:1: m']]);
    const byIndex = [{ physicalLocation: { artifactLocation: { index: 1 }, region: { startLine: 2 } } }];
    expect(paths(byIndex, { artifacts: [{ location: { uri: 'x.tf' } }, { location: { uri: 'y.tf' } }] })).toEqual([
      [['y.tf', 2], 'y.tf:2: m'],
    ]);
  });

  it('scrubs file names and messages', () => {
    const scrub = (text: string): string => text.replaceAll('/tmp/run-1/', '');
    const found = violations(
      normalizeSarif(log([{ ruleId: 'r', message: { text: 'see /tmp/run-1/a.js' }, locations: [at('/tmp/run-1/a.js', 1)] }]), {
        ...OPTIONS,
        scrub,
      }),
    );
    expect(found[0]).toMatchObject({ path: ['a.js', 1], message: 'a.js:1: see a.js' });
  });
});

describe('normalizeSarif order', () => {
  it('sorts by file, line, column, rule and message, whatever order the engine reported', () => {
    const results = [
      { ruleId: 'b', message: { text: 'x' }, locations: [at('b.js', 1, 1)] },
      { ruleId: 'a', message: { text: 'y' }, locations: [at('a.js', 10, 1)] },
      { ruleId: 'a', message: { text: 'x' }, locations: [at('a.js', 2, 5)] },
      { ruleId: 'z', message: { text: 'x' }, locations: [at('a.js', 2, 1)] },
      { ruleId: 'a', message: { text: 'x' }, locations: [at('a.js', 2, 1)] },
      { ruleId: 'n', message: { text: 'no location' } },
    ];
    const expected = ['n', 'a.js:2:1 a', 'a.js:2:1 z', 'a.js:2:5 a', 'a.js:10:1 a', 'b.js:1:1 b'];
    const describe = (v: Violation): string => (v.path.length === 0 ? v.constraint : `${v.path.join(':')} ${v.constraint}`);
    expect(violations(normalizeSarif(log(results), OPTIONS)).map(describe)).toEqual(expected);
    expect(violations(normalizeSarif(log([...results].reverse()), OPTIONS)).map(describe)).toEqual(expected);
  });
});

describe('normalizeSarif on malformed logs', () => {
  const cases: [string, unknown, RegExp][] = [
    ['text that is not JSON', '{"version": "2.1.0", "runs": [', /not JSON/],
    ['an empty string', '', /not JSON/],
    ['null', null, /not an object/],
    ['an array', [], /not an object/],
    ['a number', 42, /not an object/],
    ['another version', { version: '2.0.0', runs: [] }, /version must be "2.1.0", got "2.0.0"/],
    ['no version', { runs: [] }, /got nothing/],
    ['runs not an array', { version: '2.1.0', runs: {} }, /"runs" is not an array/],
    ['a run that is not an object', { version: '2.1.0', runs: [7] }, /runs\[0\] is not an object/],
    ['a run without results', { version: '2.1.0', runs: [{ tool: {} }] }, /runs\[0\] has no "results" array/],
    ['a result that is not an object', log(['x']), /runs\[0\]\.results\[0\] is not an object/],
  ];

  it.each(cases)('is an INVALID_OUTPUT error for %s', (_name, sarif, message) => {
    const error = errorOf(normalizeSarif(sarif, OPTIONS));
    expect(error.code).toBe('INVALID_OUTPUT');
    expect(error.message).toMatch(message);
  });

  it('accepts a log with no runs or no results: nothing was found', () => {
    expect(violations(normalizeSarif({ version: '2.1.0', runs: [] }, OPTIONS))).toEqual([]);
    expect(violations(normalizeSarif(log([]), OPTIONS))).toEqual([]);
  });

  it('is an ENGINE_FAILED error when an invocation did not succeed, quoting its error notifications', () => {
    const invocations = [
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          { level: 'warning', message: { text: 'not quoted' } },
          { level: 'error', message: { text: 'rule file is invalid' } },
        ],
      },
    ];
    const error = errorOf(normalizeSarif(log([], [], { invocations }), OPTIONS));
    expect(error).toEqual({
      code: 'ENGINE_FAILED',
      message: 'runs[0]: the tool reports that it did not run successfully: rule file is invalid',
    });
    expect(errorOf(normalizeSarif(log([], [], { invocations: [{ executionSuccessful: false }] }), OPTIONS)).message).toBe(
      'runs[0]: the tool reports that it did not run successfully',
    );
  });

  it('is an ENGINE_FAILED error when a run that claims success notified an error: a partial run is no pass', () => {
    const sarif = fixture('semgrep-rule-parse-error.sarif');
    expect(errorOf(normalizeSarif(sarif, OPTIONS))).toEqual({
      code: 'ENGINE_FAILED',
      message: expect.stringMatching(/^runs\[0\]: the tool reports errors: Rule parse error in rule x:/) as string,
    });
    const configuration = [
      { executionSuccessful: true, toolConfigurationNotifications: [{ level: 'error', message: { text: 'bad config' } }] },
    ];
    expect(errorOf(normalizeSarif(log([], [], { invocations: configuration }), OPTIONS)).message).toBe(
      'runs[0]: the tool reports errors: bad config',
    );
  });

  it('fails the run on a listed notification id at any level: a Semgrep rule that timed out found nothing', () => {
    const sarif = fixture('semgrep-rule-timeout.sarif');
    // Read as it stands, the log is a clean pass: no results, a warning, executionSuccessful.
    expect(violations(normalizeSarif(sarif, OPTIONS))).toEqual([]);
    expect(errorOf(normalizeSarif(sarif, { ...OPTIONS, failingNotifications: ['Timeout'] }))).toEqual({
      code: 'ENGINE_FAILED',
      message: 'runs[0]: the tool reports errors: Timeout when running no-eval on big.js:\n ',
    });
  });
});

describe('normalizeSarif bounds', () => {
  const limits = { ...DEFAULT_ENGINE_LIMITS, maxSarifRuns: 2, maxSarifResults: 3, maxMessageLength: 20 };
  const result = { ruleId: 'r', level: 'error', message: { text: 'm' } };

  it('accepts runs and results up to the limits and refuses one more', () => {
    const runs = (count: number, perRun: number): unknown => ({
      version: '2.1.0',
      runs: Array.from({ length: count }, () => ({ results: Array.from({ length: perRun }, () => result) })),
    });
    expect(violations(normalizeSarif(runs(2, 1), { ...OPTIONS, limits }))).toHaveLength(2);
    expect(errorOf(normalizeSarif(runs(3, 0), { ...OPTIONS, limits }))).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: 'SARIF log has 3 runs, more than the limit of 2',
    });
    expect(violations(normalizeSarif(log([result, result, result]), { ...OPTIONS, limits }))).toHaveLength(3);
    // Results are counted across runs, and before any is read.
    expect(errorOf(normalizeSarif(runs(2, 2), { ...OPTIONS, limits })).code).toBe('LIMIT_EXCEEDED');
  });

  it('cuts long messages, rule ids and file names to the limit and marks the cut', () => {
    const long = 'x'.repeat(100);
    const found = violations(
      normalizeSarif(log([{ ruleId: long, message: { text: long }, locations: [at(long, 1)] }]), { ...OPTIONS, limits }),
    );
    const first = found[0];
    expect(first?.constraint).toBe(`${'x'.repeat(19)}…`);
    expect(first?.message).toHaveLength(20);
    expect(first?.path).toEqual([`${'x'.repeat(19)}…`, 1]);
  });

  it('uses the default limits when none are given', () => {
    const many = Array.from({ length: DEFAULT_ENGINE_LIMITS.maxSarifResults + 1 }, () => result);
    expect(errorOf(normalizeSarif(log(many), OPTIONS)).code).toBe('LIMIT_EXCEEDED');
  });
});

describe('normalizeSarif on hostile logs', () => {
  it('reads deeply nested JSON without recursing into it', () => {
    const depth = 200_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const text = `{"version":"2.1.0","runs":[{"results":[{"ruleId":"r","message":{"text":"m"},"properties":${deep}}]}]}`;
    expect(violations(normalizeSarif(text, OPTIONS))).toHaveLength(1);
  });

  it('never reads inherited members through prototype keys', () => {
    const text = JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              rules: [
                { id: '__proto__', defaultConfiguration: { level: 'note' } },
                { id: 'constructor', messageStrings: {} },
              ],
            },
          },
          results: [
            { ruleId: '__proto__', message: { text: 'proto rule' } },
            { ruleId: 'constructor', message: { id: 'toString' } },
            { ruleId: 'hasOwnProperty', message: { text: 'unknown rule' } },
          ],
        },
      ],
    });
    const found = violations(normalizeSarif(text, OPTIONS));
    expect(found.map((v) => [v.constraint, v.message, v.severity])).toEqual([
      ['__proto__', 'proto rule', 'info'],
      // No message string `toString` of its own: the rule id stands in.
      ['constructor', 'constructor', 'warning'],
      ['hasOwnProperty', 'unknown rule', 'warning'],
    ]);
    // A version reachable only through the prototype is no version.
    const inherited = JSON.parse('{"__proto__": {"version": "2.1.0", "runs": []}}') as unknown;
    expect(errorOf(normalizeSarif(inherited, OPTIONS)).code).toBe('INVALID_OUTPUT');
  });

  it('turns a throwing getter or Proxy into an error result, never a throw', () => {
    const getter = {
      version: '2.1.0',
      get runs(): unknown {
        throw new Error('boom');
      },
    };
    expect(errorOf(normalizeSarif(getter, OPTIONS))).toEqual({ code: 'INVALID_OUTPUT', message: 'SARIF could not be read: boom' });
    const proxy = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error('trap');
        },
      },
    );
    expect(errorOf(normalizeSarif(proxy, OPTIONS)).code).toBe('INVALID_OUTPUT');
  });
});
