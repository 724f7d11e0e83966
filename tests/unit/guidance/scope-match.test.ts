import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTierguardError } from '../../../src/index.js';
import type { PolicyScope } from '../../../src/index.js';
import { matchesScope, scopeMismatch } from '../../../src/guidance/scope-match.js';
import { parseScopeQuery } from '../../../src/guidance/scope-query.js';
import type { ScopeQuery } from '../../../src/guidance/scope-query.js';

/**
 * The README's "Scope matching" table, one test per row (named after it), then
 * properties over generated scopes and queries.
 */

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectInvalid(query: unknown, message: string | RegExp, option?: string): void {
  const error = thrownBy(() => matchesScope({ providers: ['aws'] }, query as ScopeQuery));
  expect(isTierguardError(error, 'INVALID_OPTIONS'), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
  if (option !== undefined) expect((error as { details: { option: string } }).details.option).toBe(option);
}

describe('the scope matching table', () => {
  it('query omits the dimension: matches', () => {
    expect(matchesScope({ providers: ['aws'] }, {})).toBe(true);
    expect(matchesScope({ providers: ['aws'], relationship: { interaction: ['sync-call'] } }, { environments: 'prod' })).toBe(true);
  });

  it('policy omits the dimension: matches (no scope at all too)', () => {
    expect(matchesScope({ environments: ['prod'] }, { providers: 'gcp' })).toBe(true);
    expect(matchesScope({}, { providers: 'gcp', relationship: { sourceLayer: 'ui' } })).toBe(true);
    expect(matchesScope(undefined, { providers: 'gcp', repos: ['x', 'tag:y'] })).toBe(true);
  });

  it('policy lists all: matches every value', () => {
    expect(matchesScope({ providers: ['all'] }, { providers: 'gcp' })).toBe(true);
    expect(matchesScope({ providers: ['aws', 'all'] }, { providers: ['azure', 'oracle'] })).toBe(true);
    expect(matchesScope({ relationship: { sourceLayer: ['all'] } }, { relationship: { sourceLayer: 'ui' } })).toBe(true);
  });

  it('query says all: matches, as if the query left the dimension out', () => {
    expect(matchesScope({ providers: ['aws'] }, { providers: 'all' })).toBe(true);
    expect(matchesScope({ providers: ['aws'] }, { providers: ['gcp', 'all'] })).toBe(true);
    expect(parseScopeQuery({ providers: ['gcp', 'all'] }).lists.providers).toBe('any');
  });

  it('shared value: matches', () => {
    expect(matchesScope({ providers: ['aws', 'gcp'] }, { providers: ['gcp', 'azure'] })).toBe(true);
    expect(matchesScope({ resourceTypes: ['aws_s3_bucket'] }, { resourceTypes: 'aws_s3_bucket' })).toBe(true);
  });

  it('contradicting value: excludes the policy', () => {
    expect(matchesScope({ providers: ['aws'] }, { providers: 'gcp' })).toBe(false);
    expect(scopeMismatch({ providers: ['aws'] }, { providers: 'gcp' })).toEqual({
      dimension: 'providers',
      policy: ['aws'],
      query: ['gcp'],
    });
    expect(scopeMismatch({ providers: ['aws'] }, { providers: 'aws' })).toBeUndefined();
  });

  it('ASCII case: A-Z equal a-z (ALL is all), other characters compare exactly', () => {
    expect(matchesScope({ resourceTypes: ['Deployment'] }, { resourceTypes: 'deployment' })).toBe(true);
    expect(matchesScope({ providers: ['aws'] }, { providers: 'AWS' })).toBe(true);
    expect(matchesScope({ providers: ['ALL'] }, { providers: 'gcp' })).toBe(true);
    expect(matchesScope({ providers: ['aws'] }, { providers: 'All' })).toBe(true);
    expect(matchesScope({ environments: ['Édition'] }, { environments: 'édition' })).toBe(false);
    expect(matchesScope({ environments: ['Édition'] }, { environments: 'ÉDITION' })).toBe(true);
    // Unicode lower-casing would make the Kelvin sign a k: ASCII case only.
    expect(matchesScope({ providers: ['k8s'] }, { providers: '\u212a8s' })).toBe(false);
  });

  it('repo tags: a tag: selector matches the query tag, a name matches a name', () => {
    expect(matchesScope({ repos: ['tag:infra'] }, { repos: ['payments', 'tag:infra'] })).toBe(true);
    expect(matchesScope({ repos: ['payments'] }, { repos: ['payments', 'tag:infra'] })).toBe(true);
    expect(matchesScope({ repos: ['tag:infra'] }, { repos: ['payments', 'tag:web'] })).toBe(false);
    expect(matchesScope({ repos: ['TAG:Infra'] }, { repos: 'tag:infra' })).toBe(true);
  });

  it('repo name is not a tag: excludes', () => {
    expect(matchesScope({ repos: ['infra'] }, { repos: 'tag:infra' })).toBe(false);
    expect(matchesScope({ repos: ['tag:payments'] }, { repos: 'payments' })).toBe(false);
  });

  it('every dimension: one contradicting dimension is enough to exclude', () => {
    const scope: PolicyScope = { providers: ['aws'], environments: ['prod'] };
    expect(matchesScope(scope, { providers: 'aws', environments: 'prod' })).toBe(true);
    expect(scopeMismatch(scope, { providers: 'aws', environments: 'dev' })).toMatchObject({ dimension: 'environments' });
    expect(matchesScope(scope, { providers: 'gcp', environments: 'prod' })).toBe(false);
    expect(scopeMismatch({ providers: ['aws'], relationship: { targetLayer: ['db'] } }, { relationship: { targetLayer: 'ui' } })).toEqual({
      dimension: 'relationship.targetLayer',
      policy: ['db'],
      query: ['ui'],
    });
  });

  it('relationship lists: each matches as a dimension does', () => {
    const scope: PolicyScope = { relationship: { interaction: ['sync-call'], sourceLayer: ['service'] } };
    expect(matchesScope(scope, { relationship: { interaction: 'async-event' } })).toBe(false);
    expect(matchesScope(scope, { relationship: { interaction: ['SYNC-CALL'], sourceLayer: 'service' } })).toBe(true);
    expect(matchesScope(scope, { relationship: { sourceLayer: 'ui' } })).toBe(false);
    for (const dimension of ['sourceComponent', 'targetComponent', 'sourceDomain', 'targetDomain', 'targetLayer'] as const) {
      expect(matchesScope({ relationship: { [dimension]: ['a'] } }, { relationship: { [dimension]: 'b' } }), dimension).toBe(false);
      expect(matchesScope({ relationship: { [dimension]: ['a'] } }, { relationship: { [dimension]: ['b', 'A'] } }), dimension).toBe(true);
    }
  });

  it('differentDomain, domains differ: matches', () => {
    expect(
      matchesScope({ relationship: { differentDomain: true } }, { relationship: { sourceDomain: 'billing', targetDomain: 'ledger' } }),
    ).toBe(true);
  });

  it('differentDomain, same domain: excludes', () => {
    const scope: PolicyScope = { relationship: { differentDomain: true } };
    expect(scopeMismatch(scope, { relationship: { sourceDomain: 'billing', targetDomain: 'Billing' } })).toEqual({
      dimension: 'relationship.differentDomain',
      policy: true,
      query: false,
    });
    // Lists are the same domain when they share a value.
    expect(matchesScope(scope, { relationship: { sourceDomain: ['billing'], targetDomain: ['ledger', 'billing'] } })).toBe(false);
  });

  it('differentDomain stated: true matches, false excludes', () => {
    const scope: PolicyScope = { relationship: { differentDomain: true } };
    expect(matchesScope(scope, { relationship: { differentDomain: true } })).toBe(true);
    expect(matchesScope(scope, { relationship: { differentDomain: false } })).toBe(false);
    // Stated and shown by domains that agree.
    expect(matchesScope(scope, { relationship: { differentDomain: true, sourceDomain: 'a', targetDomain: 'b' } })).toBe(true);
  });

  it('differentDomain unknown: no domains, only one of them, or a domain all: matches', () => {
    const scope: PolicyScope = { relationship: { differentDomain: true } };
    expect(matchesScope(scope, {})).toBe(true);
    expect(matchesScope(scope, { relationship: {} })).toBe(true);
    expect(matchesScope(scope, { relationship: { sourceDomain: 'billing' } })).toBe(true);
    expect(matchesScope(scope, { relationship: { targetDomain: 'billing' } })).toBe(true);
    expect(matchesScope(scope, { relationship: { sourceDomain: 'billing', targetDomain: 'all' } })).toBe(true);
  });

  it('differentDomain false: same domain matches, domains that differ exclude (the mirror of true)', () => {
    const scope: PolicyScope = { relationship: { differentDomain: false } };
    expect(matchesScope(scope, { relationship: { sourceDomain: 'billing', targetDomain: 'billing' } })).toBe(true);
    expect(matchesScope(scope, { relationship: { sourceDomain: 'billing', targetDomain: 'ledger' } })).toBe(false);
    expect(matchesScope(scope, { relationship: { differentDomain: false } })).toBe(true);
    expect(matchesScope(scope, { relationship: { differentDomain: true } })).toBe(false);
    expect(matchesScope(scope, { relationship: { sourceDomain: 'billing' } })).toBe(true);
  });

  it('differentDomain in the query only: matches, the policy does not narrow it', () => {
    expect(matchesScope({ relationship: { interaction: ['sync-call'] } }, { relationship: { differentDomain: true } })).toBe(true);
    expect(matchesScope({ providers: ['aws'] }, { relationship: { sourceDomain: 'a', targetDomain: 'a' } })).toBe(true);
  });

  it('query contradicts itself: INVALID_OPTIONS', () => {
    expectInvalid(
      { relationship: { differentDomain: false, sourceDomain: 'a', targetDomain: 'b' } },
      'scope.relationship.differentDomain is false, but sourceDomain and targetDomain differ',
      'scope.relationship.differentDomain',
    );
    expectInvalid({ relationship: { differentDomain: true, sourceDomain: 'a', targetDomain: 'A' } }, 'are the same');
  });

  it('unknown dimension: INVALID_OPTIONS listing the dimensions, with a suggestion, likewise in relationship', () => {
    expectInvalid(
      { provider: 'aws' },
      '"provider" is not a dimension of scope (did you mean "providers"?); the dimensions are providers, resourceTypes, environments, repos, languages, relationship',
      'scope.provider',
    );
    expectInvalid({ color: 'red' }, /^"color" is not a dimension of scope; the dimensions are providers,/);
    expectInvalid(
      { relationship: { sourceDomian: 'a' } },
      '"sourceDomian" is not a dimension of scope.relationship (did you mean "sourceDomain"?); the dimensions are sourceLayer, targetLayer, ' +
        'sourceComponent, targetComponent, sourceDomain, targetDomain, differentDomain, interaction',
      'scope.relationship.sourceDomian',
    );
    // An inherited name is no dimension either, and a hostile key is cut short in the message.
    expectInvalid(JSON.parse('{"__proto__": {"providers": "aws"}}'), '"__proto__" is not a dimension of scope');
    expectInvalid({ ['x'.repeat(10_000)]: 'a' }, new RegExp(`^"${'x'.repeat(64)}\\.\\.\\." is not a dimension`));
  });

  it('malformed value: INVALID_OPTIONS naming the dimension', () => {
    expectInvalid({ providers: [] }, 'scope.providers must be a string or a list of 1 to 1000 strings', 'scope.providers');
    expectInvalid({ providers: 5 }, 'scope.providers must be a string or a list', 'scope.providers');
    expectInvalid({ providers: '' }, 'each value of scope.providers must be a string of 1 to 200 characters');
    expectInvalid({ providers: ['aws', 7] }, 'each value of scope.providers must be a string');
    expectInvalid({ environments: 'x'.repeat(201) }, 'each value of scope.environments must be a string of 1 to 200');
    expectInvalid(
      { languages: Array.from({ length: 1001 }, (_, i) => `l${i}`) },
      'scope.languages must be a string or a list of 1 to 1000',
    );
    expectInvalid({ repos: 'tag:' }, 'a tag: selector of scope.repos needs a tag', 'scope.repos');
    expectInvalid({ relationship: { differentDomain: 'yes' } }, 'scope.relationship.differentDomain must be true or false');
    expectInvalid({ relationship: { interaction: [null] } }, 'each value of scope.relationship.interaction must be a string');
    expectInvalid({ relationship: 'x' }, 'scope.relationship must be an object');
    expectInvalid(null, 'scope must be an object');
    expectInvalid(['aws'], 'scope must be an object');
    // At the edges: exactly 200 characters and 1000 values are fine.
    expect(matchesScope({ providers: ['all'] }, { providers: 'x'.repeat(200) })).toBe(true);
    expect(matchesScope({ providers: ['all'] }, { providers: Array.from({ length: 1000 }, (_, i) => `p${i}`) })).toBe(true);
  });
});

describe('a parsed query', () => {
  it('reads own dimensions only: one inherited from a prototype is not part of the query', () => {
    const inherited = Object.create({ providers: 'gcp' }) as ScopeQuery;
    expect(matchesScope({ providers: ['aws'] }, inherited)).toBe(true);
    expect(parseScopeQuery(inherited).lists.providers).toBe('any');
  });

  it('is matched as the query it came from, and a look-alike object is parsed, not trusted', () => {
    const query = { providers: 'aws', relationship: { sourceDomain: 'a', targetDomain: 'b' } };
    const parsed = parseScopeQuery(query);
    expect(parsed.differentDomain).toBe(true);
    expect(matchesScope({ providers: ['aws'] }, parsed)).toBe(true);
    expect(matchesScope({ relationship: { differentDomain: false } }, parsed)).toBe(false);
    const lookalike = Object.freeze({ lists: { providers: 'any' } });
    expect(
      isTierguardError(
        thrownBy(() => matchesScope({}, lookalike as unknown as ScopeQuery)),
        'INVALID_OPTIONS',
      ),
    ).toBe(true);
  });
});

// Small alphabets, so generated values collide often enough to exercise both outcomes.
const value = fc.constantFrom('aws', 'AWS', 'gcp', 'prod', 'dev', 'tag:infra', 'infra', 'all');
const list = fc.uniqueArray(value, { minLength: 1, maxLength: 3 });
const relationshipScope = fc.record(
  { sourceDomain: list, targetDomain: list, interaction: list, differentDomain: fc.boolean() },
  { requiredKeys: [] },
);
const policyScope: fc.Arbitrary<PolicyScope> = fc.record(
  { providers: list, environments: list, repos: list, languages: list, resourceTypes: list, relationship: relationshipScope },
  { requiredKeys: [] },
);
const query: fc.Arbitrary<ScopeQuery> = fc.record(
  {
    providers: fc.oneof(value, list),
    environments: list,
    repos: list,
    languages: value,
    resourceTypes: list,
    relationship: fc.record({ interaction: list, sourceDomain: value }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('properties', () => {
  it('a query that omits everything matches every policy', () => {
    fc.assert(fc.property(policyScope, (scope) => matchesScope(scope, {})));
  });

  it('a policy without a scope matches every query', () => {
    fc.assert(fc.property(query, (asked) => matchesScope(undefined, asked) && matchesScope({}, asked)));
  });

  it('adding all never excludes: to a policy list, or to a query list', () => {
    fc.assert(
      fc.property(policyScope, query, fc.constantFrom('providers', 'environments', 'repos', 'resourceTypes'), (scope, asked, dimension) => {
        const before = matchesScope(scope, asked);
        const widenedPolicy = { ...scope, [dimension]: [...(scope[dimension] ?? ['x']), 'all'] };
        const asList = (given: unknown): string[] =>
          given === undefined ? [] : typeof given === 'string' ? [given] : [...(given as string[])];
        const widenedQuery = { ...asked, [dimension]: [...asList(asked[dimension]), 'all'] };
        return (!before || matchesScope(widenedPolicy, asked)) && (!before || matchesScope(scope, widenedQuery));
      }),
    );
  });

  it('leaving a dimension out of the query never excludes', () => {
    fc.assert(
      fc.property(
        policyScope,
        query,
        fc.constantFrom('providers', 'environments', 'repos', 'languages', 'resourceTypes', 'relationship'),
        (scope, asked, dimension) => {
          const narrower = Object.fromEntries(Object.entries(asked).filter(([key]) => key !== dimension));
          return !matchesScope(scope, asked) || matchesScope(scope, narrower);
        },
      ),
    );
  });

  it('matching is AND: a scope matches exactly when each of its dimensions alone does', () => {
    fc.assert(
      fc.property(policyScope, query, (scope, asked) => {
        const parts: PolicyScope[] = Object.entries(scope).map(([key, selector]: [string, unknown]) =>
          Object.fromEntries([[key, selector]]),
        );
        return matchesScope(scope, asked) === parts.every((part) => matchesScope(part, asked));
      }),
    );
  });

  it('ASCII case never changes the answer', () => {
    fc.assert(
      fc.property(policyScope, query, (scope, asked) => {
        const upper = JSON.parse(
          JSON.stringify(asked).replace(/"([a-z:_-]+)"(?!:)/g, (_, text: string) => `"${text.toUpperCase()}"`),
        ) as ScopeQuery;
        return matchesScope(scope, asked) === matchesScope(scope, upper);
      }),
    );
  });
});
