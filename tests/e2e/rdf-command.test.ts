import type { SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'n3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeUnder } from '../support/cli-process.js';
import { ROOT, requireBuild } from '../support/paths.js';

/** `tierguard rdf`: an action's RDF graph as Turtle, as the README shows it, with every refusal exit 2. */

const ORDER = 'examples/actions/order-bad-lines.json';
let directory = '';

const run = (args: readonly string[], input?: string): SpawnSyncReturns<string> => runCli(ROOT, args, input);
const scratch = (name: string, text: string): string => join(directory, writeUnder(directory, name, text));

/** The README's `tierguard rdf` example: the command line after `$ ` and the Turtle block after it. */
function readmeExample(): { args: string[]; turtle: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /```sh\n\$ tierguard (rdf [^\n]+)\n```\n\n```turtle\n([\s\S]*?)```/.exec(readme);
  if (match === null) throw new Error('the README has no tierguard rdf example');
  return { args: (match[1] ?? '').split(' '), turtle: match[2] ?? '' };
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-rdf-'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('tierguard rdf', () => {
  it('prints what the README shows, word for word', () => {
    const { args, turtle } = readmeExample();
    const result = run(args);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(turtle);
    expect(new Parser().parse(result.stdout).length).toBeGreaterThan(0);
  });

  it('reads standard input, and adds each --class', () => {
    const fromFile = run(['rdf', '--action', ORDER]);
    const fromStdin = run(['rdf', '--action', '-'], readFileSync(join(ROOT, ORDER), 'utf8'));
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromFile.stdout).toContain('tg:action a tg:Action;\n');
    const typed = run(['rdf', '--action', ORDER, '--class', 'urn:example:Order', '--class', 'https://example.org/ns#Purchase']);
    expect(typed.status).toBe(0);
    expect(typed.stdout).toContain('tg:action a tg:Action, <urn:example:Order>, <https://example.org/ns#Purchase>;\n');
  });

  it('adds no class for hand-written shapes, and says so on stderr', () => {
    const result = run(['rdf', '--action', ORDER, '--policies', 'examples/policies', '--policy', 'support.ticket-priority']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(run(['rdf', '--action', ORDER]).stdout);
    expect(result.stderr).toBe(
      'tierguard: warning: policy "support.ticket-priority" has hand-written shapes (shapesFile), which target tg:Action: the action gets no class for it\n',
    );
  });

  it.each([
    [['rdf'], '--action is required'],
    [['rdf', '--action', ORDER, '--policy', 'orders.purchase-order'], '--policy needs --policies, the policy set that holds it'],
    [['rdf', '--action', ORDER, '--policies', 'examples/policies'], '--policies is read for --policy only'],
    [['rdf', '--action', ORDER, '--class', 'Order'], '--class must be an absolute IRI'],
    [['rdf', '--action', ORDER, '--class', 'urn:a>b'], '--class must be an absolute IRI'],
    [['rdf', '--action', ORDER, '--bogus'], "Unknown option '--bogus'"],
  ])('%j is a usage error, exit 2', (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`tierguard: ${message}`)).toBe(true);
    expect(result.stderr).toContain('\nusage:\n');
  });

  it('refuses a policy it cannot type the action for, suggesting a near id', () => {
    const unknown = run(['rdf', '--action', ORDER, '--policies', 'examples/policies', '--policy', 'orders.purchase-ordr']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      'tierguard: INVALID_OPTIONS: --policy "orders.purchase-ordr": no such policy in examples/policies (did you mean "orders.purchase-order"?)\n',
    );
    const auto = run(['rdf', '--action', ORDER, '--policies', 'examples/policies', '--policy', 'payments.currency']);
    expect(auto.status).toBe(2);
    expect(auto.stderr).toBe(
      'tierguard: INVALID_OPTIONS: --policy "payments.currency" has no shape or shapesFile: the formal tier never sees an action for it\n',
    );
  });

  it('refuses an invalid policy set, naming the file', () => {
    const policies = scratch('bad-policy.json', JSON.stringify({ id: 'p', shape: { properties: [{ path: 'a', minCnt: 1 }] } }));
    const result = run(['rdf', '--action', ORDER, '--policies', policies, '--policy', 'p']);
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(`tierguard: INVALID_POLICY: ${policies}: policy "p" /shape/properties/0/minCnt: unknown key`)).toBe(
      true,
    );
    expect(result.stderr).toContain('(did you mean "minCount"?)');
  });

  it('refuses an action that is not one, malformed JSON and actions past the limits, quickly and without a stack trace', () => {
    const cases: [string, string][] = [
      [scratch('array.json', '[1]'), 'INVALID_ACTION: '],
      [scratch('no-tool.json', '{"arguments":{}}'), 'INVALID_ACTION: '],
      [scratch('broken.json', '{"tool": "t",\n "a": ]'), 'IO_ERROR: '],
      [scratch('deep.json', `{"tool":"t","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'IO_ERROR: '],
      [scratch('many.json', JSON.stringify({ tool: 't', a: new Array<number>(100_001).fill(0) })), 'LIMIT_EXCEEDED: '],
    ];
    for (const [file, code] of cases) {
      const result = run(['rdf', '--action', file]);
      expect(result.status, file).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(`tierguard: ${code}${file}: `), result.stderr).toBe(true);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    expect(run(['rdf', '--action', join(directory, 'broken.json')]).stderr).toContain('line 2, column 7');
  });
});
