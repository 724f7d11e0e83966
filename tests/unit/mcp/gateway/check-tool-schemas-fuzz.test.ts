import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../src/limits.js';
import {
  checkPoliciesAgainstTools,
  formatToolSchemaProblems,
  type ToolDescription,
} from '../../../../src/mcp/gateway/check-tool-schemas.js';
import { compilePolicies } from '../../../../src/policy/compile-policies.js';
import type { PolicyDefinition } from '../../../../src/types.js';

// A fixed-seed generator, so a failure is the same failure on every run.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NAMES = ['a', 'b', 'path', '__proto__', 'constructor', 'toString', '0', '1', '*', 'items', 'properties', '$ref'];
const REFS = ['#', '#/$defs/a', '#/$defs/b', '#/definitions/a', '#/$defs/missing', 'https://example.com/s', '#/$defs/%zz', 42];
const ODD: unknown[] = [null, 42, 'string', [], [1, 2], true, false, { type: 7 }, { properties: [] }, { items: 'x' }];

function schemaOf(random: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  if (depth <= 0 || random() < 0.15) return pick(ODD);
  const schema: Record<string, unknown> = {};
  const keywords = [
    'type',
    'properties',
    'items',
    'prefixItems',
    'additionalProperties',
    'patternProperties',
    '$ref',
    'allOf',
    'anyOf',
    'oneOf',
    'then',
    '$defs',
    'definitions',
    'required',
  ];
  for (const keyword of keywords) {
    if (random() > 0.3) continue;
    switch (keyword) {
      case 'type':
        schema['type'] = pick(['object', 'array', 'string', ['object', 'null'], 'integer', 3]);
        break;
      case 'properties':
      case '$defs':
      case 'definitions': {
        const properties = JSON.parse('{}') as Record<string, unknown>;
        for (let count = Math.floor(random() * 4); count > 0; count -= 1)
          Object.defineProperty(properties, pick(NAMES), {
            value: schemaOf(random, depth - 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        if (keyword !== 'properties') properties['a'] = schemaOf(random, depth - 1);
        schema[keyword] = properties;
        break;
      }
      case 'patternProperties':
        schema[keyword] = { [pick(['^a', '(', '.*', '^p(a|b)+$'])]: schemaOf(random, depth - 1) };
        break;
      case '$ref':
        schema[keyword] = pick(REFS);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
      case 'prefixItems':
        schema[keyword] =
          random() < 0.1 ? 'not a list' : Array.from({ length: 1 + Math.floor(random() * 3) }, () => schemaOf(random, depth - 1));
        break;
      case 'required':
        schema[keyword] = [pick(NAMES)];
        break;
      default:
        schema[keyword] = schemaOf(random, depth - 1);
    }
  }
  return schema;
}

function pathOf(random: () => number): string {
  const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, () => NAMES[Math.floor(random() * NAMES.length)] ?? 'a');
  return ['arguments', ...segments]
    .map((segment, index) => (index === 0 || /^[A-Za-z_$][\w$]*$|^\d+$/.test(segment) ? segment : `["${segment}"]`))
    .join('.')
    .replaceAll('.[', '[');
}

describe('checkPoliciesAgainstTools on generated schemas', () => {
  it('answers with problems (never a throw) for a thousand random schemas and paths', () => {
    const random = generator(20261203);
    const outcomes = { found: 0, missing: 0 };
    for (let round = 0; round < 1_000; round += 1) {
      const field = pathOf(random);
      const definitions: PolicyDefinition[] = [
        { id: 'read', tools: ['t'], assert: { field, op: 'exists' } },
        { id: 'shape', tools: ['t'], shape: { properties: [{ path: field }] } },
        { id: 'rewrite', tools: ['t'], rewrite: [{ op: 'remove_field', field: field.replace(/\.b$/, '.*') }] },
      ];
      const tools = [{ name: 't', inputSchema: schemaOf(random, 5) }] as ToolDescription[];
      const problems = checkPoliciesAgainstTools(compilePolicies(definitions, DEFAULT_LIMITS), tools);
      expect(Array.isArray(problems)).toBe(true);
      outcomes[problems.some((problem) => problem.policyId === 'read') ? 'missing' : 'found'] += 1;
      for (const problem of problems) {
        expect(problem.message).toMatch(/^policy "(read|shape|rewrite)"/);
        expect(problem.message).not.toContain('could not be checked');
      }
      expect(typeof formatToolSchemaProblems(problems)).toBe('string');
    }
    // The generated cases reach both answers, so the loop checks more than one path through the walk.
    expect(outcomes.found).toBeGreaterThan(50);
    expect(outcomes.missing).toBeGreaterThan(50);
  });
});
