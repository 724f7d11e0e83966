import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import shaclVocabulary from '@vocabulary/sh';
import { DataFactory } from 'n3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSTRAINT_PARAMETERS, PROPERTY_ONLY_PARAMETERS } from '../../../src/formal/supported-shacl.js';
import { STOCK_VALIDATORS as registry } from '../../../src/formal/shacl-internals.js';
import { SH } from '../../../src/formal/vocabulary.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { Engine } from '../../../src/index.js';

const PREFIXES = `@prefix sh: <http://www.w3.org/ns/shacl#>.
@prefix xsd: <http://www.w3.org/2001/XMLSchema#>.
@prefix tg: <urn:tierguard:>.
@prefix key: <urn:tierguard:key:>.
@prefix ex: <urn:example:>.
`;

/** A property shape that denies every action: `tool` must be the one string no action has. */
const DENY_ALL = `sh:property [ sh:path key:tool; sh:hasValue "never" ]`;

let directory = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tierguard-unsupported-shacl-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

let written = 0;

/** An engine with one policy `shapes.hand` whose shapesFile holds `turtle`. */
function engineWith(turtle: string): Promise<Engine> {
  written += 1;
  const folder = join(directory, String(written));
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'shapes.ttl'), `${PREFIXES}${turtle}`);
  return createEngine({
    policies: [
      { id: 'a.fine', tools: ['x'], assert: { field: 'tool', op: 'eq', value: 'x' } },
      { id: 'shapes.hand', tools: ['t'], shapesFile: 'shapes.ttl' },
    ],
    sources: [join(folder, 'a.json'), join(folder, 'hand.json')],
  });
}

async function refusal(turtle: string): Promise<TierguardError> {
  const error: unknown = await engineWith(turtle).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(TierguardError);
  return error as TierguardError;
}

describe('shapesFile: SHACL the validator would not run is refused at compile time', () => {
  it.each([
    [
      'a SPARQL-based target',
      `ex:S a sh:NodeShape; sh:target [ a sh:SPARQLTarget; sh:select "SELECT ?this WHERE { ?this ?p ?o }" ]; ${DENY_ALL}.`,
      ['sh:target', 'a sh:SPARQLTarget', 'sh:select'],
    ],
    [
      'a target of a custom target type',
      `ex:T a sh:SPARQLTargetType. ex:S a sh:NodeShape; sh:target [ a ex:T ]; ${DENY_ALL}.`,
      ['sh:target', 'a sh:SPARQLTargetType'],
    ],
    ['a bare sh:target', `ex:S a sh:NodeShape; sh:target ex:anything; ${DENY_ALL}.`, ['sh:target']],
    [
      'a SPARQL-based constraint',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:sparql [ a sh:SPARQLConstraint; sh:select "SELECT $this WHERE { }" ].`,
      ['sh:sparql', 'a sh:SPARQLConstraint', 'sh:select'],
    ],
    [
      'a JavaScript constraint',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:js [ sh:jsFunctionName "no" ].`,
      ['sh:js', 'sh:jsFunctionName'],
    ],
    [
      'a custom constraint component',
      `ex:C a sh:ConstraintComponent; sh:parameter [ sh:path ex:limit ]; sh:validator [ a sh:SPARQLAskValidator; sh:ask "ASK { }" ].
ex:S a sh:NodeShape; sh:targetClass tg:Action; ex:limit 3.`,
      ['a sh:ConstraintComponent', 'sh:parameter', 'sh:validator', 'a sh:SPARQLAskValidator', 'sh:ask'],
    ],
    ['a SHACL rule', `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:rule [ a sh:TripleRule ].`, ['sh:rule', 'a sh:TripleRule']],
    [
      'an entailment regime',
      `ex:G sh:entailment <http://www.w3.org/ns/entailment/RDFS>. ex:S a sh:NodeShape; sh:targetClass tg:Action; ${DENY_ALL}.`,
      ['sh:entailment'],
    ],
    [
      'SPARQL prefix declarations',
      `ex:G sh:declare [ sh:prefix "ex"; sh:namespace "urn:example:"^^xsd:anyURI ]. ex:S a sh:NodeShape; sh:targetClass tg:Action.`,
      ['sh:declare', 'sh:prefix', 'sh:namespace'],
    ],
    [
      'minCount on a node shape',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:or ( [ sh:minCount 1 ] [ sh:maxCount 0 ] ).`,
      ['sh:maxCount on a shape without sh:path', 'sh:minCount on a shape without sh:path'],
    ],
    [
      'lessThan on a node shape',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:lessThan key:tool.`,
      ['sh:lessThan on a shape without sh:path'],
    ],
    [
      'a typo in a constraint name',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path key:tool; sh:maxInclusiv 3 ].`,
      ['sh:maxInclusiv'],
    ],
  ])('refuses %s as INVALID_POLICY naming the policy and the construct', async (_name, turtle, constructs) => {
    const error = await refusal(turtle);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "shapes.hand"');
    expect(error.message).toContain('/shapesFile');
    expect(error.message).toContain(`uses ${[...constructs].sort().join(', ')}, which`);
    expect(error.details).toMatchObject({ policy: 'policy "shapes.hand"', policyIndex: 1, issues: [{ pointer: '/shapesFile' }] });
  });

  it('keeps accepting, and running, every construct the validator does run', async () => {
    const engine = await engineWith(`
ex:Group a sh:PropertyGroup; sh:order 1.
ex:Shape a sh:NodeShape, sh:Shape;
  sh:targetClass tg:Action; sh:targetNode tg:action; sh:targetSubjectsOf key:tool; sh:targetObjectsOf ex:none;
  sh:name "all of it"; sh:description "every supported construct"; sh:severity sh:Violation;
  sh:closed true; sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> key:kind );
  sh:property [
    a sh:PropertyShape; sh:path key:tool; sh:group ex:Group; sh:order 0; sh:defaultValue "t"; sh:message "tool";
    sh:minCount 1; sh:maxCount 1; sh:datatype xsd:string; sh:nodeKind sh:Literal; sh:minLength 1; sh:maxLength 9;
    sh:pattern "^T$"; sh:flags "i"; sh:in ( "t" "u" ); sh:hasValue "t"; sh:languageIn ( "en" ) ; sh:uniqueLang true;
    sh:or ( [ sh:datatype xsd:string ] [ sh:datatype xsd:integer ] ); sh:xone ( [ sh:minLength 1 ] [ sh:minLength 100 ] );
    sh:and ( [ sh:maxLength 9 ] ); sh:not [ sh:minLength 100 ]; sh:disjoint key:kind
  ], [
    sh:path [ sh:alternativePath ( key:arguments [ sh:zeroOrMorePath key:x ] [ sh:oneOrMorePath key:y ] [ sh:zeroOrOnePath key:z ] [ sh:inversePath key:w ] ) ];
    sh:node [ sh:property [ sh:path key:n; sh:minInclusive 0; sh:maxInclusive 9; sh:minExclusive -1; sh:maxExclusive 10; sh:lessThan key:m; sh:lessThanOrEquals key:m; sh:equals key:n; sh:class ex:C ] ];
    sh:qualifiedValueShape [ sh:datatype xsd:string ]; sh:qualifiedMinCount 0; sh:qualifiedMaxCount 9; sh:qualifiedValueShapesDisjoint false
  ], [ sh:path key:off; sh:deactivated true; sh:minCount 1 ].
`);
    // The shape runs: the languageIn on a plain string fails, so the action is denied by it.
    const decision = await engine.evaluate({ tool: 't', kind: 'tools/call', arguments: {} });
    expect(decision.errors).toEqual([]);
    expect(decision.violations.map((violation) => violation.constraint)).toContain('sh:LanguageInConstraintComponent');
  });
});

describe('CONSTRAINT_PARAMETERS', () => {
  it('is exactly the parameters of the components rdf-validate-shacl has a validator for', () => {
    const vocabulary = shaclVocabulary({ factory: DataFactory });
    const parametersOf = (component: string): string[] => {
      const parameters = vocabulary
        .filter((quad) => quad.subject.value === component && quad.predicate.value === `${SH}parameter`)
        .map((quad) => quad.object);
      return vocabulary
        .filter((quad) => quad.predicate.value === `${SH}path` && parameters.some((parameter) => parameter.equals(quad.subject)))
        .map((quad) => quad.object.value.slice(SH.length));
    };
    const run = registry.flatMap(([component]) => parametersOf(component.value));
    expect(run.length).toBeGreaterThan(20);
    expect([...CONSTRAINT_PARAMETERS].sort()).toEqual([...new Set(run)].sort());
    const propertyOnly = registry.filter(([, validator]) => !('validate' in validator) && !('nodeValidate' in validator));
    const propertyOnlyParameters = propertyOnly.flatMap(([component]) => parametersOf(component.value));
    expect(propertyOnlyParameters.length).toBeGreaterThan(3);
    // sh:qualifiedValueShape and its Disjoint flag do nothing without a qualified count, which is refused itself.
    expect([...PROPERTY_ONLY_PARAMETERS].sort()).toEqual(
      [...new Set(propertyOnlyParameters)]
        .filter((name) => name !== 'qualifiedValueShape' && name !== 'qualifiedValueShapesDisjoint')
        .sort(),
    );
  });
});

describe('shapesFile: shapes that no action would be checked against are refused at compile time', () => {
  it.each([
    ['a file whose shapes have no target', `ex:S a sh:NodeShape; ${DENY_ALL}.`, 'no target: no shape in it has sh:targetClass'],
    [
      'a class target no action has',
      `ex:S a sh:NodeShape; sh:targetClass tg:Actoin; ${DENY_ALL}.`,
      'sh:targetClass <urn:tierguard:Actoin>, a class no action has',
    ],
    [
      'a target of the policy class',
      `ex:S a sh:NodeShape; sh:targetClass <urn:tierguard:policy:shapes.hand>; ${DENY_ALL}.`,
      'sh:targetClass <urn:tierguard:policy:shapes.hand>',
    ],
    [
      'an implicit class target of another class',
      `ex:C a <http://www.w3.org/2000/01/rdf-schema#Class>, sh:NodeShape; ${DENY_ALL}.`,
      'the implicit class target of <urn:example:C>',
    ],
  ])('refuses %s as INVALID_POLICY naming the policy and the target', async (_name, turtle, problem) => {
    const error = await refusal(turtle);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "shapes.hand" /shapesFile');
    expect(error.message).toContain(problem);
    expect(error.message).toContain('its shapes would check no action, so every action would pass');
  });

  it.each([
    ['sh:targetClass tg:Action', `ex:S a sh:NodeShape; sh:targetClass tg:Action; ${DENY_ALL}.`],
    ['sh:targetNode tg:action', `ex:S a sh:NodeShape; sh:targetNode tg:action; ${DENY_ALL}.`],
    ['sh:targetSubjectsOf key:tool', `ex:S a sh:NodeShape; sh:targetSubjectsOf key:tool; ${DENY_ALL}.`],
    ['tg:Action as an implicit class target', `tg:Action a <http://www.w3.org/2000/01/rdf-schema#Class>, sh:NodeShape; ${DENY_ALL}.`],
  ])('accepts %s, and its shape runs', async (_name, turtle) => {
    const engine = await engineWith(turtle);
    const decision = await engine.evaluate({ tool: 't', arguments: {} });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => violation.constraint)).toEqual(['sh:HasValueConstraintComponent']);
  });
});

describe('shapesFile: malformed RDF lists are refused at compile time', () => {
  const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
  it.each([
    // rdf-validate-shacl follows this list for ever: the process ran out of memory on the first action.
    [
      'a cyclic sh:in list',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path key:tool; sh:in _:l ].
_:l <${RDF_NS}first> "a"; <${RDF_NS}rest> _:l.`,
      'is cyclic',
    ],
    [
      'a cycle two cells long',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:or _:a.
_:a <${RDF_NS}first> [ sh:minLength 1 ]; <${RDF_NS}rest> _:b. _:b <${RDF_NS}first> [ sh:maxLength 1 ]; <${RDF_NS}rest> _:a.`,
      'is cyclic',
    ],
    [
      'a forked list',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path key:tool; sh:in _:l ].
_:l <${RDF_NS}first> "a", "b"; <${RDF_NS}rest> <${RDF_NS}nil>.`,
      'more than one rdf:first',
    ],
    [
      'a list that does not end',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path key:tool; sh:in _:l ].
_:l <${RDF_NS}first> "a"; <${RDF_NS}rest> ex:nowhere.`,
      'urn:example:nowhere has no rdf:first (a list ends in rdf:nil)',
    ],
  ])('refuses %s as INVALID_POLICY naming the policy', async (_name, turtle, problem) => {
    const error = await refusal(turtle);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "shapes.hand" /shapesFile');
    expect(error.message).toContain(problem);
  });

  it('accepts the lists Turtle writes, shared tails included', async () => {
    const engine = await engineWith(`ex:S a sh:NodeShape; sh:targetClass tg:Action;
  sh:property [ sh:path key:tool; sh:in _:both ], [ sh:path key:kind; sh:in _:tail ].
_:both <${RDF_NS}first> "t"; <${RDF_NS}rest> _:tail. _:tail <${RDF_NS}first> "u"; <${RDF_NS}rest> <${RDF_NS}nil>.`);
    expect((await engine.evaluate({ tool: 't', kind: 'u' })).verdict).toBe('allow');
    expect((await engine.evaluate({ tool: 't', kind: 't' })).verdict).toBe('deny');
  });
});

describe('shapesFile: recursive shapes are refused at compile time', () => {
  it.each([
    // rdf-validate-shacl recursed until the stack overflowed, on every action.
    ['a shape that is its own sh:not', `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:not ex:S.`, 'urn:example:S'],
    [
      'a cycle through sh:node and a property shape',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:property ex:P. ex:P sh:path key:arguments; sh:node ex:S.`,
      'urn:example:',
    ],
    [
      'a cycle through an sh:or member',
      `ex:S a sh:NodeShape; sh:targetClass tg:Action; sh:or ( ex:T [ sh:minLength 1 ] ). ex:T sh:and ( ex:S ).`,
      'urn:example:',
    ],
  ])('refuses %s as INVALID_POLICY naming the policy and the shape', async (_name, turtle, shape) => {
    const error = await refusal(turtle);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "shapes.hand" /shapesFile');
    expect(error.message).toContain(`the shape ${shape}`);
    expect(error.message).toContain('refers back to itself');
  });

  it('accepts a shape that many shapes share, which is no cycle', async () => {
    const engine = await engineWith(`ex:Short sh:maxLength 3.
ex:S a sh:NodeShape; sh:targetClass tg:Action;
  sh:property [ sh:path key:tool; sh:node ex:Short ], [ sh:path key:kind; sh:or ( ex:Short [ sh:hasValue "tools/call" ] ) ].`);
    expect((await engine.evaluate({ tool: 't', kind: 'tools/call' })).verdict).toBe('allow');
    expect((await engine.evaluate({ tool: 't', kind: 'long one' })).verdict).toBe('deny');
  });
});
