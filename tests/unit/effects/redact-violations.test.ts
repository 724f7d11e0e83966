import { describe, expect, it } from 'vitest';
import { buildAuditEvent } from '../../../src/effects/audit-event.js';
import { MAX_MESSAGE_NEEDLES } from '../../../src/effects/redact-violations.js';
import type { AuditEvent, PathSegment, Rewrite, RewriteOp, Violation } from '../../../src/types.js';
import { FACTS, makeDecision, makeRewrite, makeViolation } from './make-decision.js';

const SECRET = 'sk-live-123456';

/** A violation at `path` whose actual value and message both quote the secret. */
function quoting(path: readonly PathSegment[], actual: unknown = SECRET): Violation {
  return makeViolation({
    policyId: 'keys.format',
    constraint: 'regex',
    path,
    expected: '^sk-test-',
    actual,
    message: `${path.join('.')} must match regex /^sk-test-/ (got ${JSON.stringify(actual)})`,
  });
}

const LISTS = ['violations', 'warnings', 'wouldDeny', 'wouldEscalate'] as const;

/** The same violations in every list of a decision, with `rewrites`, and the action still holding the secret. */
function eventWith(rewrites: readonly Rewrite[], violations: readonly Violation[]): AuditEvent {
  const action = { tool: 'keys.use', arguments: { apiKey: SECRET, other: 'fine' } };
  return buildAuditEvent(
    makeDecision({
      verdict: 'deny',
      outcome: 'deny',
      action,
      rewrites,
      violations,
      warnings: violations,
      wouldDeny: violations,
      wouldEscalate: violations,
    }),
    FACTS,
  );
}

const HIDING: readonly RewriteOp[] = ['mask_field', 'remove_field', 'replace'];
const KEY_PATH = ['arguments', 'apiKey'];

describe('redaction: values a rewrite hid never reach the event', () => {
  const cases = HIDING.flatMap((op) => [true, false].map((applied) => [op, applied] as const));

  it.each(cases)('%s (applied: %s): at the path, its ancestors and its descendants', (op, applied) => {
    const rewrite = makeRewrite({ op, path: KEY_PATH, applied });
    const violations = [
      quoting(KEY_PATH),
      quoting(['arguments'], { apiKey: SECRET, other: 'fine' }),
      quoting([], { tool: 'keys.use', arguments: { apiKey: SECRET } }),
      quoting([...KEY_PATH, 'inner'], SECRET),
      quoting([...KEY_PATH, 0, 'deeper'], [SECRET]),
    ];
    const event = eventWith([rewrite], violations);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(JSON.stringify(event)).not.toContain('sk-live');
    for (const list of LISTS) {
      expect(event[list]).toHaveLength(violations.length);
      for (const [index, violation] of event[list].entries()) {
        const original = violations[index] as Violation;
        expect(violation).not.toHaveProperty('actual');
        // The policy's side stays: it says what was required without saying what was there.
        expect(violation.expected).toBe('^sk-test-');
        expect(violation.path).toEqual(original.path);
        expect(violation.message).toMatch(/^keys\.format: regex failed at .+ \(value redacted\)$/);
      }
    }
    expect(event.violations[0]?.message).toBe('keys.format: regex failed at arguments.apiKey (value redacted)');
    expect(event.violations[2]?.message).toBe('keys.format: regex failed at (action) (value redacted)');
  });

  it('keeps unrelated violations whole, a sibling whose name starts the same included', () => {
    const amount = makeViolation();
    const sibling = quoting(['arguments', 'apiKeyId'], 'key-42');
    const event = eventWith([makeRewrite({ path: KEY_PATH })], [amount, sibling, quoting(KEY_PATH)]);
    expect(event.violations[0]).toStrictEqual(amount);
    expect(event.violations[1]).toStrictEqual(sibling);
    expect(event.violations[2]).not.toHaveProperty('actual');
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  it('does not redact for rewrites that hide nothing (cap_value, set_default)', () => {
    const amount = makeViolation();
    const event = eventWith(
      [
        makeRewrite({ op: 'cap_value', path: ['arguments', 'amount'], value: 1000 }),
        makeRewrite({ op: 'set_default', path: ['arguments', 'amount'], value: 0, applied: false }),
      ],
      [amount],
    );
    expect(event.violations[0]).toStrictEqual(amount);
  });

  it('matches an index with the same key written as a string, and a "*" segment with any segment', () => {
    const event = eventWith(
      [makeRewrite({ path: ['arguments', 'list', '0'] }), makeRewrite({ op: 'replace', path: ['result', 'content', '*', 'text'] })],
      [quoting(['arguments', 'list', 0]), quoting(['result', 'content', 3, 'text']), quoting(['result', 'content', 3, 'type'], 'plain')],
    );
    expect(event.violations[0]).not.toHaveProperty('actual');
    expect(event.violations[1]).not.toHaveProperty('actual');
    expect(event.violations[2]?.actual).toBe('plain');
  });

  it("keeps the rewrite itself, whose value is the policy's constant", () => {
    const event = eventWith([makeRewrite({ value: '[masked]' })], [quoting(KEY_PATH)]);
    expect(event.rewrites).toStrictEqual([
      { policyId: 'secrets.mask', op: 'mask_field', path: KEY_PATH, value: '[masked]', applied: true },
    ]);
  });
});

describe('redaction: values a proposed rewrite left in the action, read elsewhere', () => {
  // With a monitored rewrite the action still holds the secret, and a comparison with
  // valueRef can quote it as `expected` of a violation at another path.
  const action = { tool: 'keys.use', arguments: { token: 'guess' }, context: { secret: SECRET, creds: { key: SECRET, user: 'bob' } } };
  const proposed = makeRewrite({ policyId: 'secrets.watch', path: ['context', 'secret'], applied: false });

  function decided(violations: readonly Violation[], rewrites: readonly Rewrite[] = [proposed]): AuditEvent {
    return buildAuditEvent(makeDecision({ action, rewrites, wouldDeny: violations, outcome: 'would_deny' }), FACTS);
  }

  it('drops an expected read through valueRef, and the message quoting it, and keeps actual', () => {
    const compared = makeViolation({
      policyId: 'token.matches',
      constraint: 'eq',
      path: ['arguments', 'token'],
      expected: SECRET,
      actual: 'guess',
      message: `arguments.token must equal context.secret = "${SECRET}" (got "guess")`,
    });
    const event = decided([compared]);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.wouldDeny[0]).toStrictEqual({
      policyId: 'token.matches',
      tier: 'auto',
      constraint: 'eq',
      path: ['arguments', 'token'],
      message: 'token.matches: eq failed at arguments.token (value redacted)',
      actual: 'guess',
      effect: 'deny',
      severity: 'violation',
    });
  });

  it('finds the secret inside an object read through valueRef', () => {
    const rewrites = [makeRewrite({ path: ['context', 'creds', 'key'], applied: false })];
    const event = decided(
      [makeViolation({ path: ['arguments', 'token'], constraint: 'eq', expected: action.context.creds, actual: 'guess', message: 'm' })],
      rewrites,
    );
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.wouldDeny[0]).not.toHaveProperty('expected');
    expect(event.wouldDeny[0]?.actual).toBe('guess');
  });

  it('replaces a message that quotes the secret even with no value attached', () => {
    const event = decided([
      makeViolation({ path: ['arguments', 'token'], expected: undefined, actual: undefined, message: `custom: ${SECRET} seen` }),
    ]);
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  it.each([
    ['JSON-escaped, as renderValue quotes it', (secret: string): string => `must equal ${JSON.stringify(secret)}`],
    ['raw, as a custom template or String() quotes it', (secret: string): string => `must equal ${secret}!`],
  ])('finds a secret with characters JSON escapes in a message, %s', (_how, quote) => {
    const secret = 'sk"live\\123\n456';
    const escaping = { tool: 'keys.use', context: { secret } };
    const violation = makeViolation({ path: ['arguments', 'token'], expected: undefined, actual: 'guess', message: quote(secret) });
    const event = buildAuditEvent(makeDecision({ action: escaping, rewrites: [proposed], wouldDeny: [violation] }), FACTS);
    expect(event.wouldDeny[0]?.message).toBe('pay.limit: lte failed at arguments.token (value redacted)');
    expect(event.wouldDeny[0]?.actual).toBe('guess');
  });

  it('finds a long secret however it was cut', () => {
    const long = `sk-live-${'9'.repeat(3_000)}`;
    const longAction = { tool: 'keys.use', context: { secret: long } };
    const violation = makeViolation({
      path: ['arguments', 'token'],
      constraint: 'eq',
      expected: long,
      actual: 'guess',
      // renderValue cuts at 120 characters.
      message: `arguments.token must equal context.secret = ${JSON.stringify(long).slice(0, 120)}…(3010 chars) (got "guess")`,
    });
    const event = buildAuditEvent(makeDecision({ action: longAction, rewrites: [proposed], wouldDeny: [violation] }), FACTS);
    expect(JSON.stringify(event)).not.toContain('sk-live');
    expect(event.wouldDeny[0]?.actual).toBe('guess');
  });

  it('leaves violations alone when an applied rewrite left only its constant', () => {
    const event = buildAuditEvent(
      makeDecision({
        action: { tool: 'keys.use', context: { secret: '***' } },
        rewrites: [makeRewrite({ path: ['context', 'secret'], applied: true })],
        violations: [
          makeViolation({
            path: ['arguments', 'token'],
            expected: '***',
            actual: 'guess',
            message: 'arguments.token must equal context.secret = "***"',
          }),
        ],
      }),
      FACTS,
    );
    expect(event.violations[0]).toMatchObject({
      expected: '***',
      actual: 'guess',
      message: 'arguments.token must equal context.secret = "***"',
    });
  });
});

describe('redaction: hidden values that cannot be read whole fail closed', () => {
  const proposed = makeRewrite({ policyId: 'secrets.watch', path: ['context', 'secret'], applied: false });
  const quotingSecret = makeViolation({
    policyId: 'token.matches',
    constraint: 'eq',
    path: ['arguments', 'token'],
    expected: SECRET,
    actual: 'guess',
    message: `arguments.token must equal context.secret.key = "${SECRET}" (got "guess")`,
  });
  const unrelated = makeViolation();

  function eventFor(secret: unknown): AuditEvent {
    const action = { tool: 'keys.use', arguments: { token: 'guess', amount: 5000 }, context: { secret } };
    return buildAuditEvent(
      makeDecision({ action, rewrites: [proposed], wouldDeny: [quotingSecret, unrelated], outcome: 'would_deny' }),
      FACTS,
    );
  }

  function expectWithheld(event: AuditEvent): void {
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.actionDigest).toBeNull();
    for (const violation of event.wouldDeny) {
      expect(violation).not.toHaveProperty('expected');
      expect(violation).not.toHaveProperty('actual');
      expect(violation.message).toMatch(/ failed at .* \(value redacted\)$/);
    }
  }

  it('a Proxy, which cannot be read without running its traps', () => {
    expectWithheld(eventFor(new Proxy({ key: SECRET }, {})));
  });

  it('a Proxy on the way to the hidden path', () => {
    const action = { tool: 'keys.use', arguments: { token: 'guess', amount: 5000 }, context: new Proxy({ secret: SECRET }, {}) };
    expectWithheld(
      buildAuditEvent(makeDecision({ action, rewrites: [proposed], wouldDeny: [quotingSecret, unrelated], outcome: 'would_deny' }), FACTS),
    );
  });

  it('a getter that throws, which hides what else it guards', () => {
    const secret = { key: SECRET };
    Object.defineProperty(secret, 'broken', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expectWithheld(eventFor(secret));
  });

  it('a sparse array longer than the bound, refused without walking its holes', () => {
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = SECRET;
    expectWithheld(eventFor(sparse));
  });

  it('more values than the default limits let an action hold', () => {
    expectWithheld(eventFor(Array.from({ length: 100_001 }, (_, index) => (index === 100_000 ? SECRET : 'filler'))));
  });

  it('deeper than the default limits let an action go', () => {
    let deep: unknown = SECRET;
    for (let level = 0; level < 70; level += 1) deep = { level: deep };
    expectWithheld(eventFor(deep));
  });

  it('is read whole, digest kept, up to the limits: an array of 99,990 values', () => {
    const event = eventFor(Array.from({ length: 99_990 }, (_, index) => (index === 99_989 ? SECRET : 'filler')));
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.actionDigest).toMatch(/^sha256:/);
    expect(event.wouldDeny[1]).toStrictEqual(unrelated);
  });
});

describe('redaction: how many hidden strings messages are searched for', () => {
  const proposed = makeRewrite({ policyId: 'secrets.watch', path: ['context', 'hidden'], applied: false });
  const unrelated = makeViolation();

  /** An event whose hidden value holds `count` distinct strings needing no escape, each one needle. */
  function eventWith(count: number): AuditEvent {
    const hidden = Array.from({ length: count }, (_, index) => `hidden-${index}`);
    return buildAuditEvent(
      makeDecision({ action: { tool: 'pay', context: { hidden } }, rewrites: [proposed], violations: [unrelated] }),
      FACTS,
    );
  }

  it(`searches messages for up to ${MAX_MESSAGE_NEEDLES} and keeps those that quote none`, () => {
    expect(eventWith(MAX_MESSAGE_NEEDLES).violations[0]).toStrictEqual(unrelated);
  });

  it('withholds every message past that, rather than search without bound', () => {
    const [violation] = eventWith(MAX_MESSAGE_NEEDLES + 1).violations;
    expect(violation?.message).toBe('pay.limit: lte failed at arguments.amount (value redacted)');
    // Values are looked up, not searched: those stay.
    expect(violation).toMatchObject({ expected: unrelated.expected, actual: unrelated.actual });
  });
});
