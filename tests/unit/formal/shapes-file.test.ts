import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TierguardError, createEngine, loadPolicies } from '../../../src/index.js';
import type { Action, PolicyDefinition } from '../../../src/index.js';

const PREFIXES = `@prefix sh: <http://www.w3.org/ns/shacl#>.
@prefix xsd: <http://www.w3.org/2001/XMLSchema#>.
@prefix tg: <urn:tierguard:>.
@prefix key: <urn:tierguard:key:>.
`;

function ticketShapes(maxLength: number): string {
  return `${PREFIXES}
tg:TicketShape a sh:NodeShape;
    sh:targetClass tg:Action;
    sh:property [
        sh:path (key:arguments key:priority);
        sh:minCount 1;
        sh:in ("low" "normal" "urgent");
        sh:message "priority must be low, normal or urgent"
    ], [
        sh:path (key:arguments key:summary);
        sh:datatype xsd:string;
        sh:maxLength ${maxLength}
    ].
`;
}

const TICKET_POLICY: PolicyDefinition = { id: 'support.ticket', tools: ['support.ticket.open'], shapesFile: 'shapes/ticket.ttl' };

function ticket(priority: string, summary = 'Checkout fails'): Action {
  return { tool: 'support.ticket.open', kind: 'tools/call', arguments: { priority, summary } };
}

let directory = '';

/** Writes `content` under the temporary directory (JSON-encoded unless a string) and returns the path. */
function write(name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tierguard-shapes-file-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

async function engineFor(policyDirectory: string) {
  const loaded = await loadPolicies(join(directory, policyDirectory));
  return createEngine({ policies: loaded.definitions, sources: loaded.sources });
}

describe('shapesFile', () => {
  it('is resolved relative to the policy file, not the working directory', async () => {
    write('resolve/policies/ticket.json', TICKET_POLICY);
    write('resolve/policies/shapes/ticket.ttl', ticketShapes(120));
    const engine = await engineFor('resolve/policies');
    expect((await engine.evaluate(ticket('urgent'))).verdict).toBe('allow');
    const decision = await engine.evaluate(ticket('asap'));
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      {
        policyId: 'support.ticket',
        tier: 'formal',
        constraint: 'sh:InConstraintComponent',
        path: ['arguments', 'priority'],
        message: 'arguments.priority: priority must be low, normal or urgent (got "asap")',
        actual: 'asap',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    // Without sources the same definition resolves against the working directory, where no such file is.
    const error: unknown = await createEngine({ policies: [TICKET_POLICY] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TierguardError);
    expect((error as TierguardError).code).toBe('INVALID_POLICY');
  });

  it('changes the policy version when the Turtle file changes although the JSON did not', async () => {
    write('version/ticket.json', TICKET_POLICY);
    write('version/shapes/ticket.ttl', ticketShapes(120));
    const before = await engineFor('version');
    const again = await engineFor('version');
    write('version/shapes/ticket.ttl', ticketShapes(20));
    const after = await engineFor('version');
    expect(again.version).toBe(before.version);
    expect(after.version).not.toBe(before.version);
    const long = ticket('low', 'a summary of thirty characters');
    expect(await before.evaluate(long)).toMatchObject({ verdict: 'allow', policyVersion: before.version });
    const decision = await after.evaluate(long);
    expect(decision.policyVersion).toBe(after.version);
    expect(decision.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:MaxLengthConstraintComponent', path: ['arguments', 'summary'] }),
    ]);
  });

  it('runs a hand-written sh:closed that also refuses a key whose value is null or an empty array', async () => {
    write('closed/ticket.json', { ...TICKET_POLICY, tools: ['support.ticket.close'] });
    write(
      'closed/shapes/ticket.ttl',
      `${PREFIXES}
tg:Closed a sh:NodeShape; sh:targetClass tg:Action;
    sh:property [ sh:path key:arguments; sh:node tg:Arguments ].
tg:Arguments a sh:NodeShape; sh:closed true; sh:property [ sh:path key:id ].
`,
    );
    const engine = await engineFor('closed');
    const close = (args: Record<string, unknown>): Action => ({ tool: 'support.ticket.close', arguments: args });
    expect((await engine.evaluate(close({ id: 7 }))).verdict).toBe('allow');
    expect((await engine.evaluate(close({ id: null }))).verdict).toBe('allow');
    for (const extra of [null, [], [null], [[]], 'x']) {
      const decision = await engine.evaluate(close({ id: 7, force: extra }));
      expect(decision.violations).toEqual([
        expect.objectContaining({
          policyId: 'support.ticket',
          constraint: 'sh:ClosedConstraintComponent',
          path: ['arguments', 'force'],
          actual: extra,
        }),
      ]);
    }
  });

  it.each([
    ['a missing file', undefined],
    ['a file that is not Turtle', 'this is { not turtle'],
    ['a file with owl:imports', `${ticketShapes(120)}<urn:x> <http://www.w3.org/2002/07/owl#imports> <https://example.com/shapes.ttl>.\n`],
    [
      'a file with a lookaround sh:pattern',
      `${PREFIXES}tg:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path key:tool; sh:pattern "(?<=a)b" ].\n`,
    ],
  ])('rejects %s as INVALID_POLICY at /shapesFile, naming the policy', async (name, content) => {
    const folder = `invalid-${name.replaceAll(' ', '-').replaceAll(':', '')}`;
    write(`${folder}/ok.json`, { id: 'a.fine', tools: ['x'], assert: { field: 'tool', op: 'eq', value: 'x' } });
    write(`${folder}/ticket.json`, TICKET_POLICY);
    if (content !== undefined) write(`${folder}/shapes/ticket.ttl`, content);
    const error: unknown = await engineFor(folder).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TierguardError);
    const failure = error as TierguardError;
    expect(failure.code).toBe('INVALID_POLICY');
    expect(failure.message).toContain('policy "support.ticket"');
    expect(failure.message).toContain('/shapesFile');
    expect(failure.details).toMatchObject({ policy: 'policy "support.ticket"', policyIndex: 1, issues: [{ pointer: '/shapesFile' }] });
  });
});
