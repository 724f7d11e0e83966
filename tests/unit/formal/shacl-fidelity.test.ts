import fc from 'fast-check';
import { Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { describe, expect, it } from 'vitest';
import { actionToGraph } from '../../../src/formal/action-to-rdf.js';
import { generateShapes } from '../../../src/formal/generate-shapes.js';
import { codePointLength } from '../../../src/formal/length-validators.js';
import type { ShapeDefinition, ShapeSeverity } from '../../../src/index.js';
import { atX, decideShape, TOOL } from './support.js';

/**
 * Where the formal tier once departed from SHACL (issue 16): a result of any
 * severity inside `sh:node` means the value does not conform, and lengths count
 * characters (code points), not UTF-16 units.
 */

/** Whether rdf-validate-shacl, run directly on the generated shapes and the action's graph, finds a Violation. */
async function shaclFindsViolation(shape: ShapeDefinition, args: Record<string, unknown>): Promise<boolean> {
  const shapes = new Store(generateShapes('p', shape, 'action'));
  const data = actionToGraph({ tool: TOOL, kind: 'tools/call', arguments: args }).dataset;
  const report = await new SHACLValidator(shapes).validate(data);
  return report.results.some((result) => result.severity?.value.endsWith('#Violation') === true);
}

const nested = (outer: ShapeSeverity | undefined, inner: ShapeSeverity): ShapeDefinition => ({
  properties: [
    {
      path: 'arguments.user',
      ...(outer === undefined ? {} : { severity: outer }),
      node: { properties: [{ path: 'name', minLength: 3, severity: inner }] },
    },
  ],
});

describe('a result inside sh:node', () => {
  const SEVERITIES: readonly ShapeSeverity[] = ['Violation', 'Warning', 'Info'];
  for (const outer of [undefined, ...SEVERITIES]) {
    for (const inner of SEVERITIES) {
      it(`${inner} inside a node of severity ${outer ?? 'Violation (default)'} decides as rdf-validate-shacl reports`, async () => {
        const shape = nested(outer, inner);
        const args = { user: { name: 'ab' } };
        const decision = await decideShape(shape, args);
        const blocks = await shaclFindsViolation(shape, args);
        expect(blocks).toBe(outer === undefined || outer === 'Violation');
        expect(decision.verdict).toBe(blocks ? 'deny' : 'allow');
        // The finding still points at the inner value, whatever severity it took.
        const finding = [...decision.violations, ...decision.warnings][0];
        expect(finding?.path).toEqual(['arguments', 'user', 'name']);
      });
    }
  }

  it('a conforming nested value allows', async () => {
    expect((await decideShape(nested(undefined, 'Warning'), { user: { name: 'abc' } })).verdict).toBe('allow');
  });
});

describe('sh:minLength and sh:maxLength count characters', () => {
  it.each([
    ['😀', 1],
    ['a😀b', 3],
    ['e\u0301', 2], // a combining mark is a character of its own, as in XPath's string-length
    ['\ud800', 1], // a lone surrogate counts once
    ['\udc00\ud800', 2],
    ['', 0],
  ])('%j has length %i', async (text, length) => {
    expect(codePointLength(text)).toBe(length);
    expect((await decideShape(atX({ minLength: length, maxLength: length }), { x: text })).verdict).toBe('allow');
    if (length > 0) expect((await decideShape(atX({ maxLength: length - 1 }), { x: text })).verdict).toBe('deny');
    expect((await decideShape(atX({ minLength: length + 1 }), { x: text })).verdict).toBe('deny');
  });

  it('agrees with counting code points on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => codePointLength(text) === Array.from(text).length));
  });
});
