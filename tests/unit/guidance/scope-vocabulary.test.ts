import { describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../../src/index.js';
import { scopeVocabulary } from '../../../src/guidance/scope-vocabulary.js';

/** The selector vocabulary describe_scope lists. */

const EMPTY_RELATIONSHIP = {
  sourceLayer: [],
  targetLayer: [],
  sourceComponent: [],
  targetComponent: [],
  sourceDomain: [],
  targetDomain: [],
  interaction: [],
  differentDomain: [],
};

describe('scopeVocabulary', () => {
  it('lists every dimension, each value once, sorted, all left out, the first spelling standing for its ASCII case variants', () => {
    const definitions: PolicyDefinition[] = [
      {
        id: 'a',
        scope: {
          providers: ['gcp', 'AWS'],
          repos: ['tag:infra', 'payments'],
          relationship: { differentDomain: true, interaction: ['sync-call'] },
        },
      },
      { id: 'b' },
      { id: 'c', scope: { providers: ['aws', 'all', 'Azure'], environments: ['prod'], relationship: { differentDomain: false } } },
      { id: 'd', scope: { relationship: { differentDomain: true, sourceLayer: ['service', 'ui'] } } },
    ];
    expect(scopeVocabulary(definitions)).toEqual({
      providers: ['AWS', 'Azure', 'gcp'],
      resourceTypes: [],
      environments: ['prod'],
      repos: ['payments', 'tag:infra'],
      languages: [],
      relationship: { ...EMPTY_RELATIONSHIP, sourceLayer: ['service', 'ui'], interaction: ['sync-call'], differentDomain: [false, true] },
    });
  });

  it('lists nothing for policies without scopes', () => {
    expect(scopeVocabulary([{ id: 'x' }])).toEqual({
      providers: [],
      resourceTypes: [],
      environments: [],
      repos: [],
      languages: [],
      relationship: EMPTY_RELATIONSHIP,
    });
  });
});
