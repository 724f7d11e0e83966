import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';

/**
 * A `not` over a JSONPath that holds through one value (`quantifier: "any"`)
 * points its violation at that value, not at the field's first one: the path
 * and `actual` name what the policy refused.
 */
describe('not over a JSONPath with quantifier any', () => {
  const policy = {
    id: 'fs.no-dotenv-in-batch-reads',
    tools: ['read_multiple_files'],
    assert: { not: { field: '$.arguments.paths[*]', op: 'glob' as const, value: '**/.env', quantifier: 'any' as const } },
  };

  it('names the value that matched, wherever it is in the array', async () => {
    const engine = await createEngine({ policies: [policy] });
    const decision = engine.evaluateAuto({
      tool: 'read_multiple_files',
      arguments: { paths: ['/p/README.md', '/p/notes.txt', '/p/.env'] },
    });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toHaveLength(1);
    expect(decision.violations[0]).toMatchObject({ constraint: 'not', path: ['arguments', 'paths', 2], actual: '/p/.env' });
    expect(decision.violations[0]?.message).toContain('/p/.env');
  });

  it('keeps the first value for a not over every value (the default quantifier), where all of them matched', async () => {
    const every = { ...policy, assert: { not: { field: '$.arguments.paths[*]', op: 'glob' as const, value: '/p/**' } } };
    const engine = await createEngine({ policies: [every] });
    const decision = engine.evaluateAuto({ tool: 'read_multiple_files', arguments: { paths: ['/p/a', '/p/b'] } });
    expect(decision.violations[0]).toMatchObject({ constraint: 'not', path: ['arguments', 'paths', 0], actual: '/p/a' });
  });
});
