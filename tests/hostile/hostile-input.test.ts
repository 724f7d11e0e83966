import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, isTierguardError, TierguardError } from '../../src/index.js';
import type { Action, Decision, Engine, EvaluationError, PolicyDefinition, PredicateDefinition } from '../../src/index.js';
import { thrownBy } from '../support/thrown-by.js';

/**
 * Input an agent (or whoever speaks for it) could send to make tierguard crash,
 * hang, allow silently or pollute the process. Each must end in a decision:
 * fail closed by default, with the problem listed in `errors`. No test asserts
 * timings; a hang is caught by vitest's timeout.
 */

const EXISTS: PolicyDefinition = { id: 'tool.exists', assert: { field: 'tool', op: 'exists' } };

/** What `run` returns, or what it throws. */
function outcomeOf(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return error;
  }
}

/** Evaluates synchronously and asynchronously, checks both agree, and returns the decision. */
async function decideBoth(engine: Engine, action: unknown): Promise<Decision> {
  const sync = engine.evaluateAuto(action as Action);
  const async = await engine.evaluate(action as Action);
  // The decision carries the action; a hostile Proxy cannot be compared
  // structurally, so it is compared by identity (nothing rewrote it).
  const { action: syncAction, ...syncRest } = sync;
  const { action: asyncAction, ...asyncRest } = async;
  expect(asyncRest).toEqual(syncRest);
  expect(asyncAction).toBe(syncAction);
  expect(syncAction).toBe(action);
  return sync;
}

function expectFailClosed(decision: Decision, errors: readonly EvaluationError[]): void {
  expect(decision.verdict).toBe('deny');
  expect(decision.violations).toEqual([]);
  expect(decision.errors).toEqual(errors);
}

const DEPTH_ERROR = /^action is nested deeper than limits\.maxDepth \(64\) at \/[^ ]+$/;

describe('deep nesting (100,000 levels, built iteratively)', () => {
  const deepObject = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = {};
    for (let level = 0; level < levels; level += 1) value = { a: value };
    return value;
  };
  const deepArray = (levels: number): unknown[] => {
    let value: unknown[] = [];
    for (let level = 0; level < levels; level += 1) value = [value];
    return value;
  };

  it.each([
    ['object', () => deepObject(100_000)],
    ['array', () => deepArray(100_000)],
  ] as const)('%s: LIMIT_EXCEEDED, no stack overflow', async (_kind, build) => {
    const nested = build();
    const engine = await createEngine({ policies: [EXISTS, { id: 'deep.read', assert: { field: '$..a', op: 'exists' } }] });
    for (const action of [
      { tool: 't', arguments: nested },
      { tool: 't', context: { x: nested } },
      { tool: 't', extra: nested },
    ]) {
      const decision = await decideBoth(engine, action);
      expect(decision.verdict).toBe('deny');
      expect(decision.violations).toEqual([]);
      expect(decision.errors).toHaveLength(1);
      expect(decision.errors[0]?.code).toBe('LIMIT_EXCEEDED');
      expect(decision.errors[0]?.message).toMatch(DEPTH_ERROR);
    }
    const throwing = await createEngine({ policies: [EXISTS], onError: 'throw' });
    const error = thrownBy(() => throwing.evaluateAuto({ tool: 't', arguments: nested as Record<string, unknown> }));
    expect(isTierguardError(error, 'LIMIT_EXCEEDED')).toBe(true);
    expect((error as TierguardError).details.limit).toBe('maxDepth');
  });

  it('a policy definition nested 100,000 deep is INVALID_POLICY, no stack overflow', async () => {
    let predicate: PredicateDefinition = { field: 'tool', op: 'exists' };
    for (let level = 0; level < 100_000; level += 1) predicate = { not: predicate };
    const error = await createEngine({ policies: [{ id: 'deep.policy', assert: predicate }] }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
    expect((error as TierguardError).message).toMatch(
      /^policy "deep\.policy" \/assert(\/not)+: nested deeper than limits\.maxDepth \(64\)$/,
    );
  });

  it('a comparison value nested 100,000 deep is INVALID_POLICY', async () => {
    const error = await createEngine({
      policies: [{ id: 'deep.value', assert: { field: 'a', op: 'eq', value: deepArray(100_000) as never } }],
    }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
  });
});

describe('cycles', () => {
  it.each([
    [
      'object through arguments',
      () => {
        const cycle: Record<string, unknown> = { b: 1 };
        cycle.self = cycle;
        return { tool: 't', arguments: cycle };
      },
    ],
    [
      'the action itself',
      () => {
        const action: Record<string, unknown> = { tool: 't' };
        action.again = action;
        return action;
      },
    ],
    [
      'array',
      () => {
        const list: unknown[] = [1];
        list.push(list);
        return { tool: 't', arguments: { list } };
      },
    ],
    [
      'wide fan-out',
      () => {
        const node: Record<string, unknown> = {};
        for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) node[key] = node;
        return { tool: 't', context: node };
      },
    ],
  ] as const)('%s: LIMIT_EXCEEDED, no hang', async (_name, build) => {
    const engine = await createEngine({
      policies: [EXISTS, { id: 'cycle.read', assert: { field: '$..b', op: 'eq', value: 1 } }],
    });
    const decision = await decideBoth(engine, build());
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toHaveLength(1);
    expect(decision.errors[0]?.code).toBe('LIMIT_EXCEEDED');
    expect(decision.errors[0]?.message).toMatch(DEPTH_ERROR);
  });

  it('a cyclic policy definition is INVALID_POLICY, no hang', async () => {
    const predicate: Record<string, unknown> = {};
    predicate.not = predicate;
    const error = await createEngine({ policies: [{ id: 'cyclic', assert: predicate as unknown as PredicateDefinition }] }).catch(
      (caught: unknown) => caught,
    );
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
  });
});

describe('strings against regex and glob', () => {
  const TEN_MB = 10 * 1_048_576;
  const huge = 'a'.repeat(TEN_MB);

  it.each([
    ['regex', { field: 'arguments.s', op: 'regex', value: '^a+$' }],
    ['glob', { field: 'arguments.s', op: 'glob', value: '*' }],
  ] as const)('a 10 MB string under %s is a LIMIT_EXCEEDED error, not a plain false, even under not', async (operator, predicate) => {
    const policies: PolicyDefinition[] = [
      { id: 'plain', assert: predicate },
      { id: 'negated', assert: { not: predicate } },
    ];
    const expected = (id: string): EvaluationError => ({
      code: 'LIMIT_EXCEEDED',
      policyId: id,
      message: `policy "${id}": ${operator} input of ${TEN_MB} characters exceeds limits.maxStringLength (1048576)`,
    });
    const action = { tool: 't', arguments: { s: huge } };
    expectFailClosed(await decideBoth(await createEngine({ policies }), action), [expected('plain'), expected('negated')]);

    // Failing open is the caller's choice, and the errors are still listed.
    const open = await decideBoth(await createEngine({ policies, onError: 'allow' }), action);
    expect(open.verdict).toBe('allow');
    expect(open.errors).toEqual([expected('plain'), expected('negated')]);

    const throwing = await createEngine({ policies, onError: 'throw' });
    const error = await throwing.evaluate(action).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'LIMIT_EXCEEDED')).toBe(true);
    expect((error as TierguardError).details).toEqual({ limit: 'maxStringLength', actual: TEN_MB, policyId: 'plain' });
  });

  const evil = `${'a'.repeat(100_000)}!`;

  it('^(a+)+$ on 100,000 a then ! returns (RE2 does not backtrack) and does not match', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'nested.quantifier', assert: { field: 'arguments.s', op: 'regex', value: '^(a+)+$' } },
        { id: 'nested.quantifier.not', assert: { not: { field: 'arguments.s', op: 'regex', value: '^(a+)+$' } } },
      ],
    });
    const decision = await decideBoth(engine, { tool: 't', arguments: { s: evil } });
    expect(decision.errors).toEqual([]);
    expect(decision.violations.map((violation) => [violation.policyId, violation.constraint])).toEqual([['nested.quantifier', 'regex']]);
    expect(decision.verdict).toBe('deny');
  });

  it('glob *a*a*a*a*a*b on 100,000 a then ! returns and does not match, as operator and as tool pattern', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'stars', assert: { field: 'arguments.s', op: 'glob', value: '*a*a*a*a*a*b' } },
        { id: 'stars.tool', tools: ['*a*a*a*a*a*b'] },
      ],
    });
    const decision = await decideBoth(engine, { tool: evil, arguments: { s: evil } });
    expect(decision.errors).toEqual([]);
    expect(decision.violations.map((violation) => [violation.policyId, violation.constraint])).toEqual([['stars', 'glob']]);
    const matching = await decideBoth(engine, { tool: `${evil}b`, arguments: { s: `${evil}b` } });
    expect(matching.violations.map((violation) => violation.policyId)).toEqual(['stars.tool']);
  });
});

describe('prototype keys', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin')).toBe(false);
  });

  const parsed = (): Action =>
    JSON.parse(
      '{"tool":"t","__proto__":{"polluted":"yes"},"arguments":{"__proto__":{"polluted":"yes","isAdmin":true},' +
        '"constructor":{"prototype":{"polluted":"yes"}},"list":[1,2]},"context":{"prototype":{"polluted":"yes"}}}',
    ) as Action;

  it('keys from JSON.parse are own data: they resolve to their own values and pollute nothing', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'own.proto', assert: { field: 'arguments.__proto__.isAdmin', op: 'eq', value: true } },
        { id: 'own.proto.bracket', assert: { field: 'arguments["__proto__"].polluted', op: 'eq', value: 'yes' } },
        { id: 'own.constructor', assert: { field: 'arguments.constructor.prototype.polluted', op: 'eq', value: 'yes' } },
        { id: 'own.prototype', assert: { field: 'context.prototype.polluted', op: 'eq', value: 'yes' } },
        { id: 'own.jsonpath', assert: { field: '$.arguments.__proto__.isAdmin', op: 'eq', value: true } },
        { id: 'own.top', assert: { field: '__proto__.polluted', op: 'eq', value: 'yes' } },
        { id: 'own.descent', assert: { field: '$..polluted', op: 'eq', value: 'yes' } },
        { id: 'not.inherited', assert: { not: { field: 'arguments.isAdmin', op: 'exists' } } },
        {
          id: 'eq.structural',
          assert: { field: 'arguments.__proto__', op: 'eq', value: JSON.parse('{"isAdmin":true,"polluted":"yes"}') as never },
        },
      ],
    });
    const action = parsed();
    const decision = await decideBoth(engine, action);
    expect(decision).toMatchObject({ verdict: 'allow', violations: [], errors: [] });
    expect(Object.getPrototypeOf(action.arguments)).toBe(Object.prototype);
  });

  it('paths never reach inherited members', async () => {
    const missing = [
      'arguments.constructor',
      'arguments.constructor.name',
      'arguments.toString',
      'arguments.hasOwnProperty',
      'arguments.valueOf',
      'arguments.__proto__',
      'arguments.isAdmin',
      'arguments.list.length',
      'arguments.list.constructor',
      'arguments.list.map',
      'tool.length',
      'tool.constructor',
      '$.arguments.constructor',
      '$.arguments.isAdmin',
      '$.arguments.list.length',
      '$..isAdmin',
      '$..constructor',
    ];
    const policies: PolicyDefinition[] = missing.flatMap((field, index) => [
      { id: `exists.${index}`, assert: { field, op: 'exists' } },
      { id: `neq.${index}`, assert: { field, op: 'neq', value: 'anything' } },
      { id: `not.${index}`, assert: { not: { field, op: 'exists' } } },
    ]);
    const engine = await createEngine({ policies });
    // Inherited members that a prototype-walking reader would find: a real
    // prototype with isAdmin, and the ordinary Object and Array members.
    const action = { tool: 't', arguments: Object.assign(Object.create({ isAdmin: true }) as Record<string, unknown>, { list: [1, 2] }) };
    const decision = await decideBoth(engine, action);
    expect(decision.errors).toEqual([]);
    const failed = decision.violations.map((violation) => violation.policyId);
    const expectedFailures = missing.flatMap((_field, index) => [`exists.${index}`, `neq.${index}`]);
    expect(failed).toEqual(expectedFailures);
    for (const violation of decision.violations) expect(violation).not.toHaveProperty('actual');
  });

  it('an action whose tool is only inherited is INVALID_ACTION', async () => {
    const engine = await createEngine({ policies: [EXISTS] });
    const decision = await decideBoth(engine, Object.create({ tool: 'payments.transfer' }) as Action);
    expectFailClosed(decision, [{ code: 'INVALID_ACTION', message: 'an action must have a string "tool"' }]);
  });

  it('policy definitions with __proto__ keys from JSON.parse are rejected, not merged', async () => {
    for (const [text, pointer] of [
      ['{"id":"p","__proto__":{"effect":"warn"}}', '/__proto__'],
      ['{"id":"p","assert":{"field":"a","op":"exists","__proto__":{"x":1}}}', '/assert/__proto__'],
    ] as const) {
      const error = await createEngine({ policies: [JSON.parse(text) as PolicyDefinition] }).catch((caught: unknown) => caught);
      expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
      expect((error as TierguardError).message).toContain(`policy "p" ${pointer}: unknown key "__proto__"`);
    }
  });
});

describe('hostile getters and proxies', () => {
  const READS_A: PolicyDefinition = { id: 'reads.a', assert: { field: 'arguments.a', op: 'eq', value: 1 } };

  /** An action whose `arguments.a` is a non-enumerable getter, so only a policy reads it. */
  const getterAction = (thrown: () => unknown): Action => {
    const args = {};
    Object.defineProperty(args, 'a', {
      get() {
        throw thrown();
      },
      enumerable: false,
    });
    return { tool: 't', arguments: args };
  };

  it('a Proxy action whose get trap throws: deny with EVALUATION_FAILED', async () => {
    const action = new Proxy(
      { tool: 't', arguments: { a: 1 } },
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    const engine = await createEngine({ policies: [READS_A] });
    expectFailClosed(await decideBoth(engine, action), [{ code: 'EVALUATION_FAILED', message: 'evaluation threw: boom' }]);
  });

  it('a Proxy under arguments whose get trap throws: deny with EVALUATION_FAILED', async () => {
    const args = new Proxy(
      { a: 1 },
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const engine = await createEngine({ policies: [READS_A] });
    expectFailClosed(await decideBoth(engine, { tool: 't', arguments: args }), [
      { code: 'EVALUATION_FAILED', message: 'evaluation threw: trap' },
    ]);
  });

  it('revoked proxies and throwing ownKeys / getOwnPropertyDescriptor traps: deny with EVALUATION_FAILED', async () => {
    const engine = await createEngine({ policies: [READS_A] });
    const { proxy, revoke } = Proxy.revocable({ tool: 't' }, {});
    revoke();
    const hostile = [
      proxy,
      new Proxy(
        { tool: 't' },
        {
          ownKeys: () => {
            throw new Error('keys');
          },
        },
      ),
      new Proxy(
        { tool: 't' },
        {
          getOwnPropertyDescriptor: () => {
            throw new Error('descriptor');
          },
        },
      ),
      new Proxy(
        { tool: 't' },
        {
          getPrototypeOf: () => {
            throw new Error('prototype');
          },
        },
      ),
      {
        tool: 't',
        arguments: new Proxy(
          { a: 1 },
          {
            getPrototypeOf: () => {
              throw new Error('prototype');
            },
          },
        ),
      },
    ];
    for (const action of hostile) {
      const decision = await decideBoth(engine, action);
      expect(decision.verdict).toBe('deny');
      expect(decision.errors.map((error) => error.code)).toEqual(['EVALUATION_FAILED']);
    }
  });

  it('a throwing getter under a field a policy reads: deny with EVALUATION_FAILED naming the policy', async () => {
    const engine = await createEngine({ policies: [READS_A] });
    expectFailClosed(
      await decideBoth(
        engine,
        getterAction(() => new Error('getter')),
      ),
      [{ code: 'EVALUATION_FAILED', message: 'policy "reads.a": evaluation threw: getter', policyId: 'reads.a' }],
    );
  });

  it('an enumerable throwing getter is caught while the action is checked', async () => {
    const engine = await createEngine({ policies: [READS_A] });
    const action = {
      tool: 't',
      arguments: {
        get a(): number {
          throw new Error('enumerable');
        },
      },
    };
    expectFailClosed(await decideBoth(engine, action), [{ code: 'EVALUATION_FAILED', message: 'evaluation threw: enumerable' }]);
  });

  it("onError 'allow' lets it through with the error still listed; other policies still decide", async () => {
    const open = await createEngine({ policies: [READS_A], onError: 'allow' });
    const decision = await decideBoth(
      open,
      getterAction(() => new Error('getter')),
    );
    expect(decision.verdict).toBe('allow');
    expect(decision.errors).toEqual([
      { code: 'EVALUATION_FAILED', message: 'policy "reads.a": evaluation threw: getter', policyId: 'reads.a' },
    ]);
    const withDeny = await createEngine({ policies: [READS_A, { id: 'no.t', tools: ['t'] }], onError: 'allow' });
    const denied = await decideBoth(
      withDeny,
      getterAction(() => new Error('getter')),
    );
    expect(denied.verdict).toBe('deny');
    expect(denied.violations.map((violation) => violation.policyId)).toEqual(['no.t']);
    expect(denied.errors.map((error) => error.policyId)).toEqual(['reads.a']);
  });

  it("onError 'throw' throws a TierguardError whose cause is what the getter threw", async () => {
    const engine = await createEngine({ policies: [READS_A], onError: 'throw' });
    const original = new Error('getter');
    const error = await engine.evaluate(getterAction(() => original)).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'EVALUATION_FAILED')).toBe(true);
    expect((error as TierguardError).cause).toBe(original);
  });

  it.each([
    ['a string', (): unknown => 'plain string', 'plain string'],
    ['undefined', (): unknown => undefined, 'undefined'],
    ['a symbol', (): unknown => Symbol('s'), 'Symbol(s)'],
    ['a number', (): unknown => 42, '42'],
  ] as const)('a getter that throws %s: EVALUATION_FAILED', async (_name, thrown, rendered) => {
    const engine = await createEngine({ policies: [READS_A] });
    expectFailClosed(await decideBoth(engine, getterAction(thrown)), [
      { code: 'EVALUATION_FAILED', message: `policy "reads.a": evaluation threw: ${rendered}`, policyId: 'reads.a' },
    ]);
  });

  // Values whose conversion to a string itself throws. The engine must still
  // return a decision (or, with onError 'throw', throw a TierguardError).
  const hostileMessage = (): Error => {
    const error = new Error();
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    return error;
  };
  it.each([
    ['a null-prototype object', () => Object.create(null) as unknown],
    [
      'an object whose toString throws',
      () => ({
        toString: (): string => {
          throw new Error('toString');
        },
      }),
    ],
    ['an Error whose message getter throws', hostileMessage],
  ] as const)('a getter that throws %s: decision deny with EVALUATION_FAILED, not an uncaught exception', async (_name, thrown) => {
    const engine = await createEngine({ policies: [READS_A] });
    const decision = outcomeOf(() => engine.evaluateAuto(getterAction(thrown)));
    expect(decision).not.toBeInstanceOf(Error);
    expect((decision as Decision).verdict).toBe('deny');
    expect((decision as Decision).errors.map((error) => [error.code, error.policyId])).toEqual([['EVALUATION_FAILED', 'reads.a']]);
    await expect(engine.evaluate(getterAction(thrown))).resolves.toMatchObject({ verdict: 'deny' });
    const throwing = await createEngine({ policies: [READS_A], onError: 'throw' });
    expect(thrownBy(() => throwing.evaluateAuto(getterAction(thrown)))).toBeInstanceOf(TierguardError);
  });

  it('a tool getter that throws on a later read: decision deny, not an uncaught exception', async () => {
    const engine = await createEngine({ policies: [{ id: 'no.t', tools: ['t*'] }] });
    let reads = 0;
    const action = {
      get tool(): string {
        reads += 1;
        if (reads > 2) throw new Error(`tool read ${reads}`);
        return 't';
      },
    };
    const decision = outcomeOf(() => engine.evaluateAuto(action));
    expect(decision).not.toBeInstanceOf(Error);
    expect((decision as Decision).verdict).toBe('deny');
    for (const error of (decision as Decision).errors) expect(['EVALUATION_FAILED', 'INVALID_ACTION']).toContain(error.code);
  });

  it('a tool getter that answers differently on later reads cannot slip past the policy for its first answer', async () => {
    const engine = await createEngine({ policies: [{ id: 'no.t', tools: ['t'] }] });
    let reads = 0;
    const action = {
      get tool(): string {
        reads += 1;
        return reads === 1 ? 't' : 'harmless';
      },
    };
    // The engine saw "t" (a denied tool) when it checked the action; the decision
    // must not be an allow for some other tool read later.
    expect(engine.evaluateAuto(action).verdict).toBe('deny');
  });
});

describe('values that are not JSON are type mismatches, not crashes', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  // Each value with comparisons its JSON look-alike would satisfy.
  const cases: readonly (readonly [string, unknown, readonly PredicateDefinition[]])[] = [
    [
      'BigInt',
      5n,
      [
        { field: 'arguments.v', op: 'eq', value: 5 },
        { field: 'arguments.v', op: 'gte', value: 5 },
        { field: 'arguments.v', op: 'lte', value: 5 },
        { field: 'arguments.v', op: 'in', value: [5] },
        { field: 'arguments.v', op: 'neq', value: 6 },
        { field: 'arguments.v', op: 'not_in', value: [6] },
      ],
    ],
    [
      'function',
      () => 'x',
      [
        { field: 'arguments.v', op: 'eq', value: {} },
        { field: 'arguments.v', op: 'regex', value: '.*' },
        { field: 'arguments.v', op: 'neq', value: {} },
        { field: 'arguments.v', op: 'not_in', value: [1] },
      ],
    ],
    [
      'symbol',
      Symbol('x'),
      [
        { field: 'arguments.v', op: 'regex', value: '.*' },
        { field: 'arguments.v', op: 'glob', value: '*' },
        { field: 'arguments.v', op: 'neq', value: 'x' },
        { field: 'arguments.v', op: 'not_in', value: ['y'] },
      ],
    ],
    [
      'Date',
      new Date('2024-01-01T00:00:00Z'),
      [
        { field: 'arguments.v', op: 'eq', value: {} },
        { field: 'arguments.v', op: 'gte', value: '2020' },
        { field: 'arguments.v', op: 'regex', value: '2024' },
        { field: 'arguments.v', op: 'neq', value: {} },
      ],
    ],
    [
      'Map',
      new Map([['a', 1]]),
      [
        { field: 'arguments.v', op: 'eq', value: {} },
        { field: 'arguments.v', op: 'in', value: [{}] },
        { field: 'arguments.v', op: 'neq', value: { a: 1 } },
      ],
    ],
    [
      'class instance',
      new Point(1, 2),
      [
        { field: 'arguments.v', op: 'eq', value: { x: 1, y: 2 } },
        { field: 'arguments.v', op: 'in', value: [{ x: 1, y: 2 }] },
        { field: 'arguments.v', op: 'neq', value: { x: 3 } },
      ],
    ],
    [
      'boxed string',
      Object('x') as unknown,
      [
        { field: 'arguments.v', op: 'eq', value: 'x' },
        { field: 'arguments.v', op: 'regex', value: 'x' },
        { field: 'arguments.v', op: 'glob', value: 'x' },
        { field: 'arguments.v', op: 'in', value: ['x'] },
      ],
    ],
    [
      'boxed number',
      Object(5) as unknown,
      [
        { field: 'arguments.v', op: 'eq', value: 5 },
        { field: 'arguments.v', op: 'gt', value: 4 },
      ],
    ],
    [
      'undefined',
      undefined,
      [
        { field: 'arguments.v', op: 'neq', value: 1 },
        { field: 'arguments.v', op: 'not_in', value: [1] },
      ],
    ],
  ];

  it.each(cases)('%s: every comparison is false, its negation true, no error', async (_name, value, predicates) => {
    const engine = await createEngine({
      policies: predicates.flatMap((predicate, index) => [
        { id: `holds.${index}`, assert: predicate },
        { id: `negated.${index}`, assert: { not: predicate } },
      ]),
    });
    const decision = await decideBoth(engine, { tool: 't', arguments: { v: value } });
    expect(decision.errors).toEqual([]);
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(predicates.map((_predicate, index) => `holds.${index}`));
    for (const violation of decision.violations) expect(typeof violation.message).toBe('string');
  });

  it('the same non-JSON value on both sides of a valueRef is no match either', async () => {
    const shared = [5n, new Date(0), new Map(), new Point(1, 1), () => 1];
    const engine = await createEngine({
      policies: [{ id: 'same', assert: { field: 'arguments.v', op: 'eq', valueRef: 'context.v' } }],
    });
    for (const value of shared) {
      const decision = engine.evaluateAuto({ tool: 't', arguments: { v: value }, context: { v: value } });
      expect(decision.errors).toEqual([]);
      expect(decision.violations.map((violation) => violation.constraint)).toEqual(['eq']);
    }
  });

  it('renders a BigInt in a message without throwing', async () => {
    const engine = await createEngine({ policies: [{ id: 'big', assert: { field: 'arguments.v', op: 'eq', value: 5 } }] });
    expect(engine.evaluateAuto({ tool: 't', arguments: { v: 5n } }).violations[0]?.message).toBe(
      'arguments.v must equal 5 (got <bigint>, not a JSON value)',
    );
  });
});

describe('huge arrays', () => {
  it.each([
    ['200,000 elements', () => new Array<number>(200_000).fill(1)],
    ['a sparse array of length 2^32 - 1', () => new Array<number>(4_294_967_295)],
    ['an object with 200,000 keys', () => Object.fromEntries(Array.from({ length: 200_000 }, (_value, index) => [`k${index}`, index]))],
  ] as const)('%s: LIMIT_EXCEEDED with the default maxNodes', async (_name, build) => {
    const engine = await createEngine({
      policies: [EXISTS, { id: 'all.items', assert: { field: '$.arguments.items[*]', op: 'eq', value: 1 } }],
    });
    expectFailClosed(await decideBoth(engine, { tool: 't', arguments: { items: build() } }), [
      { code: 'LIMIT_EXCEEDED', message: 'action holds more than limits.maxNodes (100000) values' },
    ]);
  });
});

describe('tool names', () => {
  it('a 1 MB tool name is matched and reported, no error', async () => {
    const tool = `${'x'.repeat(1_048_576 - 1)}y`;
    const engine = await createEngine({
      policies: [
        { id: 'x.star', tools: ['x*y'] },
        { id: 'exact.other', tools: ['xy'] },
        { id: 'question', tools: ['?'] },
      ],
    });
    const decision = await decideBoth(engine, { tool });
    expect(decision.errors).toEqual([]);
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(['x.star']);
    expect(decision.violations[0]?.actual).toBe(tool);
    expect(engine.evaluateAuto({ tool: tool.slice(1) }).violations.map((violation) => violation.policyId)).toEqual(['x.star']);
  });

  it.each(['*', '**', 'payments.*', '{a,b}', '[abc]', '!(x)', '?', '\\', 'a/**', '+(a|b)'])(
    'tool %j is a name, not a pattern: it matches no exact tool and only globs that match it literally',
    async (tool) => {
      const engine = await createEngine({
        policies: [
          { id: 'exact.a', tools: ['a'] },
          { id: 'exact.payments', tools: ['payments.transfer'] },
          { id: 'exact.same', tools: [tool.replace(/[*?[{\\!+(|)]/g, '_')] },
          { id: 'everything', tools: ['**'] },
        ],
      });
      const decision = await decideBoth(engine, { tool });
      expect(decision.errors).toEqual([]);
      expect(decision.violations.map((violation) => violation.policyId)).toEqual(['everything']);
    },
  );

  it('tool names that are Object.prototype member names are looked up as plain names', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'proto.tool', tools: ['__proto__'] },
        { id: 'ctor.tool', tools: ['constructor'] },
      ],
    });
    for (const [tool, ids] of [
      ['__proto__', ['proto.tool']],
      ['constructor', ['ctor.tool']],
      ['toString', []],
      ['hasOwnProperty', []],
    ] as const) {
      expect(engine.evaluateAuto({ tool }).violations.map((violation) => violation.policyId)).toEqual(ids);
    }
  });

  it('decides the same after more distinct tool names than the lookup cache holds', async () => {
    const engine = await createEngine({ policies: [{ id: 'pay', tools: ['payments.*'] }] });
    const first = engine.evaluateAuto({ tool: 'payments.transfer' });
    for (let index = 0; index < 5_000; index += 1) engine.evaluateAuto({ tool: `tool.${index}` });
    expect(engine.evaluateAuto({ tool: 'payments.transfer' })).toEqual(first);
    expect(first.verdict).toBe('deny');
  });
});

describe('unknown top-level keys', () => {
  it('are allowed and addressable by dot-path and JSONPath', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'session', assert: { field: 'session.id', op: 'eq', value: 's-1' } },
        { id: 'session.jsonpath', assert: { field: '$.session.scopes[*]', op: 'in', value: ['read', 'write'] } },
        { id: 'kind', assert: { field: 'kind', op: 'eq', value: 'tools/call' } },
        { id: 'meta', assert: { field: '["x.meta"].trace', op: 'regex', value: '^[0-9a-f]+$' } },
      ],
    });
    const action = { tool: 't', kind: 'tools/call', session: { id: 's-1', scopes: ['read', 'write'] }, 'x.meta': { trace: 'ab12' } };
    expect(await decideBoth(engine, action)).toMatchObject({ verdict: 'allow', violations: [], errors: [] });
    const bad = { ...action, session: { id: 's-2', scopes: ['admin'] } };
    const decision = await decideBoth(engine, bad);
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => [violation.policyId, violation.path])).toEqual([
      ['session', ['session', 'id']],
      ['session.jsonpath', ['session', 'scopes', 0]],
    ]);
  });
});
