import { describe, expect, it } from 'vitest';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { PolicyDefinition, PropertyShapeDefinition } from '../../../src/index.js';

/** The INVALID_POLICY error createEngine rejects with. */
async function rejection(policies: readonly PolicyDefinition[]): Promise<TierguardError> {
  const error: unknown = await createEngine({ policies }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TierguardError);
  const failure = error as TierguardError;
  expect(failure.code).toBe('INVALID_POLICY');
  return failure;
}

/** One policy, `bad`, whose shape has the one property shape given. */
function withProperty(property: Record<string, unknown>): PolicyDefinition[] {
  return [
    { id: 'fine', tools: ['t'], shape: { properties: [{ path: 'arguments.y', minCount: 1 }] } },
    { id: 'bad', tools: ['t'], shape: { properties: [property as unknown as PropertyShapeDefinition] } },
  ];
}

function issuePointers(error: TierguardError): unknown[] {
  return ((error.details.issues ?? []) as { pointer: string }[]).map((issue) => issue.pointer);
}

describe('invalid shape definitions are INVALID_POLICY errors naming the policy and the JSON pointer', () => {
  it.each([
    ['an unknown key inside a property shape', { path: 'arguments.x', foo: 1 }, '/shape/properties/0/foo'],
    ['a pattern RE2 cannot compile', { path: 'arguments.x', pattern: '(?<=a)b' }, '/shape/properties/0/pattern'],
    ['a path with an array index', { path: 'arguments.items.0.sku', minCount: 1 }, '/shape/properties/0/path'],
    ['a path with a bracketed array index', { path: 'arguments.items[0].sku', minCount: 1 }, '/shape/properties/0/path'],
    ['a malformed path', { path: 'arguments..x', minCount: 1 }, '/shape/properties/0/path'],
    ['an unterminated quoted key', { path: 'arguments["x', minCount: 1 }, '/shape/properties/0/path'],
    ['a pair key with a dot', { path: 'arguments.a', lessThan: 'b.c' }, '/shape/properties/0/lessThan'],
    ['an equals key with a bracket', { path: 'arguments.a', equals: 'b[0]' }, '/shape/properties/0/equals'],
  ])('%s', async (_name, property, pointer) => {
    const error = await rejection(withProperty(property));
    expect(error.message).toContain('policy "bad"');
    expect(error.message).toContain(pointer);
    expect(error.message).not.toContain('policy "fine"');
    expect(error.details.policy).toBe('policy "bad"');
    expect(error.details.policyIndex).toBe(1);
    expect(issuePointers(error)).toEqual([pointer]);
  });

  it('points into nested shapes: node, logical operands and their properties', async () => {
    const nested: PolicyDefinition = {
      id: 'nested',
      tools: ['t'],
      shape: {
        properties: [
          { path: 'arguments', minCount: 1 },
          { path: 'arguments.lines', node: { or: [{ minLength: 1 }, { properties: [{ path: 'sku', pattern: 'a(?=b)' }] }] } },
        ],
      },
    };
    const error = await rejection([nested]);
    expect(issuePointers(error)).toEqual(['/shape/properties/1/node/or/1/properties/0/pattern']);
    expect(error.message).toContain('policy "nested"');
  });

  it('rejects an index path in a nested node shape at its own pointer', async () => {
    const error = await rejection([
      {
        id: 'deep',
        tools: ['t'],
        shape: { properties: [{ path: 'arguments', node: { properties: [{ path: 'lines.1', minCount: 1 }] } }] },
      },
    ]);
    expect(issuePointers(error)).toEqual(['/shape/properties/0/node/properties/0/path']);
  });

  it('names every invalid formal policy at once', async () => {
    const error: unknown = await createEngine({
      policies: [
        { id: 'one', tools: ['t'], shape: { properties: [{ path: 'a.0', minCount: 1 }] } },
        { id: 'two', tools: ['t'], shape: { properties: [{ path: 'a', pattern: '(?<!x)y' }] } },
      ],
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TierguardError);
    expect((error as TierguardError).code).toBe('INVALID_POLICY');
    expect((error as TierguardError).message).toContain('policy "one"');
    expect((error as TierguardError).message).toContain('policy "two"');
  });
});
