import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, Decision, PolicyDefinition } from '../../../src/index.js';

/**
 * Pins what the formal tier reports, field by field and in order, for a set of
 * formal policies (every generated constraint, nested and closed node shapes,
 * logical shapes, pairs, severities, a hand-written shapes file) on actions that
 * break them in many ways at once. The expected decisions were recorded from the
 * formal tier before its mapping was optimised; any change to a path, a
 * message, an expected or actual value, a severity or the order shows here.
 */
const FIXTURES = fileURLToPath(new URL('../../fixtures/formal-mapping/', import.meta.url));

const read = <T>(file: string): T => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;
const policies = read<PolicyDefinition[]>('policies.json');
const actions = read<{ name: string; action: Action }[]>('actions.json');
const expected = read<Record<string, unknown>>('expected.json');

// `sources` resolves the shapesFile policy's Turtle against the fixture folder.
const newEngine = () => createEngine({ policies, sources: policies.map(() => join(FIXTURES, 'policies.json')) });

/** The parts of a decision the formal tier decides, as JSON (what a caller would serialise). */
function reported(decision: Decision): unknown {
  const { verdict, outcome, violations, warnings, escalatedBy, errors } = decision;
  return JSON.parse(JSON.stringify({ verdict, outcome, violations, warnings, escalatedBy, errors }));
}

describe('formal tier violations, pinned', () => {
  it('has an expected decision for every action and an action for every expected decision', () => {
    expect(actions.map(({ name }) => name).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(actions)('$name', async ({ name, action }) => {
    const engine = await newEngine();
    expect(reported(await engine.evaluate(action))).toEqual(expected[name]);
  });

  it('gives the same decisions when one engine evaluates every action in turn, twice', async () => {
    // The validators are reused across calls: nothing one report leaves behind may leak into the next.
    const engine = await newEngine();
    for (let pass = 0; pass < 2; pass += 1) {
      for (const { name, action } of actions)
        expect(reported(await engine.evaluate(action)), `${name}, pass ${pass}`).toEqual(expected[name]);
    }
  });
});
