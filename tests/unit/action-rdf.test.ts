import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, Store } from 'n3';
import type { Quad } from '@rdfjs/types';
import SHACLValidator from 'rdf-validate-shacl';
import { describe, expect, it } from 'vitest';
import { actionToGraph } from '../../src/formal/action-to-rdf.js';
import { actionToRdf, createEngine, loadPolicies } from '../../src/index.js';
import type { Action, TierguardError } from '../../src/index.js';
import { ROOT } from '../support/paths.js';

/**
 * `actionToRdf`: the graph the formal tier validates, as Turtle a person can
 * read and another SHACL validator can take. Each test parses the text back
 * with n3, so what is checked is what any Turtle reader gets.
 */

const ORDER: Action = {
  tool: 'orders.create',
  kind: 'tools/call',
  arguments: {
    orderId: 'ORD-004218',
    total: 99.5,
    lines: [
      { sku: 'ABC-1234', qty: 2 },
      { sku: 'abc-12', qty: 0 },
    ],
    note: null,
  },
};

function parse(turtle: string): Quad[] {
  return new Parser().parse(turtle);
}

/**
 * A tree-shaped graph in canonical form, read from the root: each node as its
 * sorted `predicate -> object` pairs, a blank node replaced by its own form. Two
 * graphs of one action are equal here exactly when they are isomorphic.
 */
function canonical(quads: readonly Quad[], node = 'urn:tierguard:action'): string {
  const pairs = quads
    .filter((quad) => quad.subject.value === node)
    .map((quad) => {
      const { object } = quad;
      const shown =
        object.termType === 'BlankNode'
          ? `[${canonical(quads, object.value)}]`
          : object.termType === 'Literal'
            ? `${JSON.stringify(object.value)}^^${object.datatype.value}`
            : `<${object.value}>`;
      return `${quad.predicate.value} ${shown}`;
    });
  return pairs.sort().join('; ');
}

const graphOf = (action: object): Quad[] => [...actionToGraph(action).dataset];

async function refusal(action: unknown, options?: object): Promise<TierguardError> {
  try {
    await actionToRdf(action as Action, options);
  } catch (error) {
    return error as TierguardError;
  }
  throw new Error('actionToRdf accepted it');
}

describe('actionToRdf', () => {
  it('is Turtle of exactly the graph the formal tier builds', async () => {
    const turtle = await actionToRdf(ORDER);
    expect(canonical(parse(turtle))).toBe(canonical(graphOf(ORDER)));
    expect(turtle.startsWith('@prefix sh: <http://www.w3.org/ns/shacl#>.\n')).toBe(true);
    expect(turtle).toContain('@prefix key: <urn:tierguard:key:>.\n');
    expect(turtle).toContain('tg:action a tg:Action;\n    key:tool "orders.create";\n');
    expect(turtle).toContain('        key:total 99.5;\n');
    // null is no value, but still a key.
    expect(turtle).toContain('tg:keyWithoutValue key:note');
    expect(turtle).not.toMatch(/_:/);
  });

  it('gives the same text for the same action, every time', async () => {
    const first = await actionToRdf(ORDER);
    expect(await actionToRdf(structuredClone(ORDER))).toBe(first);
    expect(await actionToRdf(JSON.parse(JSON.stringify(ORDER)) as Action)).toBe(first);
  });

  it('types the root with the class of each named policy and each class given', async () => {
    const turtle = await actionToRdf(ORDER, { policies: ['orders.purchase-order'], classes: ['urn:example:Order'] });
    expect(turtle).toContain('tg:action a tg:Action, <urn:tierguard:policy:orders%2Epurchase-order>, <urn:example:Order>;');
  });

  it('writes hostile keys and strings so that they parse back as themselves', async () => {
    const keys = ['__proto__', 'constructor', 'a b', 'x.y', '>', ']', '[', '"', '\\', '😀', '\ud800', ''];
    const values = ['[', ']', '"""', 'line\nbreak', '\\', '\u0000', '\u202e', '😀', 'x'.repeat(100_000)];
    const args: Record<string, unknown> = {};
    keys.forEach((key, index) => Object.defineProperty(args, key, { value: values[index % values.length], enumerable: true }));
    const action = { tool: 't', arguments: args, nested: { ']': { '[': ['[', { ']': ']' }] } } };
    const turtle = await actionToRdf(action);
    expect(canonical(parse(turtle))).toBe(canonical(graphOf(action)));
  });

  it('refuses what evaluate refuses, with the same codes, and never hangs', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) deep = { a: deep };
    expect(await refusal({ tool: 't', deep })).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'maxDepth' } });
    const cyclic: Record<string, unknown> = { tool: 't' };
    cyclic.self = cyclic;
    expect(await refusal(cyclic)).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'maxDepth' } });
    expect(await refusal({ tool: 't', many: new Array<number>(100_001).fill(1) })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxNodes' },
    });
    expect(await refusal({ tool: 't', few: [1, 2, 3] }, { limits: { maxNodes: 3 } })).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    for (const action of [null, [], 'x', { arguments: {} }, { tool: 5 }]) expect((await refusal(action)).code).toBe('INVALID_ACTION');
    const getter = {
      tool: 't',
      get arguments(): never {
        throw new Error('boom');
      },
    };
    expect(await refusal(getter)).toMatchObject({ code: 'INVALID_ACTION', message: expect.stringContaining('boom') as unknown });
  });

  it('refuses unknown options and malformed classes or policy ids, naming the option', async () => {
    expect(await refusal(ORDER, { clases: [] })).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'clases' } });
    expect(await refusal(ORDER, { classes: 'urn:x' })).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'classes' } });
    for (const iri of ['Order', 'urn:a b', 'urn:<x>', 'urn:"x"', 'http://x/\n', '']) {
      expect(await refusal(ORDER, { classes: ['urn:ok', iri] })).toMatchObject({
        code: 'INVALID_OPTIONS',
        details: { option: 'classes[1]' },
      });
    }
    expect(await refusal(ORDER, { policies: [''] })).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'policies[0]' } });
    expect(await refusal(ORDER, { policies: [5] })).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'policies[0]' } });
    expect(await refusal(ORDER, { limits: { maxDepth: 0 } })).toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('actionToRdf with the shapes tierguard compile writes, in rdf-validate-shacl directly', () => {
  // The committed output of `tierguard compile` for the example policy: what a user hands another validator.
  const shapes = new Store(new Parser().parse(readFileSync(join(ROOT, 'shapes/examples/orders.purchase-order.ttl'), 'utf8')));

  it.each(['order-ok.json', 'order-bad-lines.json'])('%s conforms exactly when the engine allows it', async (file) => {
    const action = JSON.parse(readFileSync(join(ROOT, 'examples/actions', file), 'utf8')) as Action;
    const loaded = await loadPolicies(join(ROOT, 'examples/policies/purchase-order.json'));
    const decision = await (await createEngine({ policies: loaded.definitions, sources: loaded.sources })).evaluate(action);
    const report = await new SHACLValidator(shapes).validate(new Store(parse(await actionToRdf(action))));
    expect(report.conforms).toBe(decision.verdict === 'allow');
    expect(report.conforms).toBe(file === 'order-ok.json');
  });
});
