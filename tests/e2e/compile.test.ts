import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'n3';
import { requireBuild } from '../support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShapes } from '../../src/formal/generate-shapes.js';
import { createEngine, loadPolicies } from '../../src/index.js';
import type { Action, PolicyDefinition } from '../../src/index.js';
import { canonicalGraph } from '../unit/formal/support.js';

/**
 * `tierguard compile` as a user runs it: the built CLI, real files. The Turtle
 * it writes for the example policies is committed in shapes/examples/ and must
 * not drift from what the CLI generates.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = join(ROOT, 'examples', 'policies');
const ACTIONS = join(ROOT, 'examples', 'actions');
const COMMITTED = join(ROOT, 'shapes', 'examples');
const REGENERATE = 'node dist/cli/bin.js compile --policies examples/policies --out shapes/examples';
const STACK_LINE = /^\s+at /m;

let directory = '';

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

function compile(out: string): SpawnSyncReturns<string> {
  return run(['compile', '--policies', 'examples/policies', '--out', out]);
}

/** File name to bytes, for every file in a directory. */
function filesIn(folder: string): Map<string, Buffer> {
  return new Map(
    readdirSync(folder)
      .sort()
      .map((name) => [name, readFileSync(join(folder, name))]),
  );
}

async function examplePolicies(): Promise<PolicyDefinition[]> {
  return [...(await loadPolicies(POLICIES)).definitions];
}

function exampleActions(): { name: string; action: Action }[] {
  return readdirSync(ACTIONS)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, action: JSON.parse(readFileSync(join(ACTIONS, name), 'utf8')) as Action }));
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-compile-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard compile', () => {
  it('writes one Turtle file per shape policy, lists hand-written ones, and exits 0', () => {
    const out = join(directory, 'listing');
    const result = compile(out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(
      result.stdout
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    ).toEqual(
      [
        `wrote ${join(out, 'crm.contact-shape.ttl')}`,
        `wrote ${join(out, 'orders.purchase-order.ttl')}`,
        `wrote ${join(out, 'payments.schedule-window.ttl')}`,
        'kept  support.ticket-priority: hand-written shapes in shapes/support-ticket.ttl',
      ].sort(),
    );
  });

  it('gives identical bytes when run twice', () => {
    const first = join(directory, 'first');
    const second = join(directory, 'second');
    expect(compile(first).status).toBe(0);
    expect(compile(second).status).toBe(0);
    const a = filesIn(first);
    const b = filesIn(second);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), `${name} differs between two runs`).toBe(true);
  });

  it('matches the committed shapes/examples byte for byte', () => {
    const out = join(directory, 'drift');
    expect(compile(out).status).toBe(0);
    const generated = filesIn(out);
    const committed = filesIn(COMMITTED);
    expect([...committed.keys()], `shapes/examples/ does not list the generated files: run \`${REGENERATE}\``).toEqual([
      ...generated.keys(),
    ]);
    for (const [name, bytes] of generated) {
      const message = `shapes/examples/${name} differs from what \`tierguard compile\` generates: run \`${REGENERATE}\``;
      expect(committed.get(name)?.toString('utf8'), message).toBe(bytes.toString('utf8'));
      expect(committed.get(name)?.equals(bytes), message).toBe(true);
    }
  });

  it('exits 2 with a message on an invalid policy, and writes nothing', () => {
    const policy = join(directory, 'invalid', 'bad.json');
    mkdirSync(join(policy, '..'), { recursive: true });
    writeFileSync(
      policy,
      JSON.stringify({ id: 'bad.shape', tools: ['t'], shape: { properties: [{ path: 'arguments.items.0.sku', minCount: 1 }] } }),
    );
    const out = join(directory, 'invalid-out');
    const result = run(['compile', '--policies', policy, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(
      result.stderr.startsWith(
        `tierguard: INVALID_POLICY: ${policy}: policy "bad.shape" /shape/properties/0/path: shape paths cannot index arrays`,
      ),
    ).toBe(true);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['--policies', ['compile', '--out', 'x']],
    ['--out', ['compile', '--policies', 'examples/policies']],
  ])('exits 2 with a message and the usage when %s is missing', (flag, args) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`tierguard: ${flag} is required\n`)).toBe(true);
    expect(result.stderr).toContain('tierguard compile (--policies <file|dir> | --config <file> [--strict]) --out <dir>');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('the generated Turtle', () => {
  it('parses with n3 into the graph generated from the JSON shape', async () => {
    const out = join(directory, 'parse');
    expect(compile(out).status).toBe(0);
    const withShape = (await examplePolicies()).filter((policy) => policy.shape !== undefined);
    expect(withShape.length).toBe(3);
    for (const policy of withShape) {
      if (policy.shape === undefined) continue;
      const parsed = new Parser({ format: 'text/turtle' }).parse(readFileSync(join(out, `${policy.id}.ttl`), 'utf8'));
      expect(canonicalGraph(parsed), policy.id).toEqual(canonicalGraph(generateShapes(policy.id, policy.shape, 'action')));
    }
  });

  it('loaded as a shapesFile policy, gives the same verdicts as the JSON shape on the example actions', async () => {
    const out = join(directory, 'as-file');
    expect(compile(out).status).toBe(0);
    const actions = exampleActions();
    const compared: string[] = [];
    for (const policy of (await examplePolicies()).filter((definition) => definition.shape !== undefined)) {
      const fromJson = await createEngine({ policies: [policy] });
      const fromTurtle = await createEngine({
        policies: [
          { id: policy.id, ...(policy.tools === undefined ? {} : { tools: policy.tools }), shapesFile: join(out, `${policy.id}.ttl`) },
        ],
      });
      for (const { name, action } of actions.filter(({ action: candidate }) => policy.tools?.includes(candidate.tool) === true)) {
        const expected = await fromJson.evaluate(action);
        const actual = await fromTurtle.evaluate(action);
        compared.push(`${policy.id} ${name} ${expected.verdict}`);
        expect(actual.verdict, `${policy.id} on ${name}`).toBe(expected.verdict);
        expect(
          actual.violations.map(({ path }) => path),
          `${policy.id} on ${name}`,
        ).toEqual(expected.violations.map(({ path }) => path));
      }
    }
    // Not vacuous: every shape policy met an allowed and a denied example.
    expect(compared.sort()).toEqual([
      'crm.contact-shape contact-create-bad-zip.json deny',
      'crm.contact-shape contact-create-ok.json allow',
      'orders.purchase-order order-bad-lines.json deny',
      'orders.purchase-order order-ok.json allow',
      'payments.schedule-window schedule-ends-before-start.json deny',
      'payments.schedule-window schedule-ok.json allow',
    ]);
  });
});
