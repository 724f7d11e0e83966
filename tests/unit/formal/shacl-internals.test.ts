/**
 * The rdf-validate-shacl internals src/formal/shacl-internals.ts relies on, checked
 * one by one so that an upgrade that moves or reshapes them fails here, naming
 * the installed version and what changed, rather than as a wrong verdict (a
 * stock V8 `sh:pattern` brings ReDoS back) or an obscure error deep in a test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NamedNode, Quad } from '@rdfjs/types';
import { DataFactory, Parser, Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { beforeAll, describe, expect, it } from 'vitest';
import { TierguardError } from '../../../src/errors.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import type { Limits } from '../../../src/limits.js';
import { QuadDataset } from '../../../src/formal/quad-dataset.js';
import { SH } from '../../../src/formal/vocabulary.js';

// Type-only: the modules themselves are loaded in beforeAll, where a failure can be explained.
import type * as InternalsModule from '../../../src/formal/shacl-internals.js';
import type { Validator } from '../../../src/formal/shacl-internals.js';
import type * as OverridesModule from '../../../src/formal/validator-overrides.js';
import type * as RunnerModule from '../../../src/formal/shacl-validator.js';

type Internals = typeof InternalsModule;
type Overrides = typeof OverridesModule;
type Runner = typeof RunnerModule;

const ADAPTER = 'src/formal/shacl-internals.ts';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VERSION = (createRequire(import.meta.url)('rdf-validate-shacl/package.json') as { version: string }).version;

/** The failure message: the installed version, what changed, and where to adapt. */
function changed(what: string): string {
  return (
    `rdf-validate-shacl ${VERSION}: ${what}. ${ADAPTER} relies on it (written against 0.6.5); ` +
    'adapt the adapter, or move to the upstream constraintValidators option its header names, before taking this version'
  );
}

/** What the adapter imports, read from its source so the list cannot drift from it. */
function privateSpecifiers(source: string): string[] {
  return [...new Set([...source.matchAll(/from '(rdf-validate-shacl\/src\/[^']+)'/g)].map((match) => match[1] ?? ''))].sort();
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const sh = (name: string): NamedNode => DataFactory.namedNode(`${SH}${name}`);
/** `sh:PatternConstraintComponent` is run for `sh:pattern`, `sh:LessThanOrEqualsConstraintComponent` for `sh:lessThanOrEquals`. */
const parameterOf = (component: NamedNode): NamedNode => {
  const name = component.value.slice(SH.length, -'ConstraintComponent'.length);
  return sh(`${name.charAt(0).toLowerCase()}${name.slice(1)}`);
};
const kindOf = (validator: object): string => ['validate', 'nodeValidate', 'propertyValidate'].filter((key) => key in validator).join('+');

describe(`rdf-validate-shacl internals the adapter relies on (installed: ${VERSION})`, () => {
  let internals: Internals;
  let overrides: Overrides;

  beforeAll(async () => {
    // Loaded here, not imported at the top: a missing private module then fails
    // with the message below instead of a bare ERR_MODULE_NOT_FOUND for the file.
    try {
      internals = await import('../../../src/formal/shacl-internals.js');
      overrides = await import('../../../src/formal/validator-overrides.js');
    } catch (error) {
      throw new Error(changed(`a private module the adapter imports no longer loads (${String(error)})`), { cause: error });
    }
  });

  it('is the only module of src/ that imports rdf-validate-shacl/src/', () => {
    const importers = sourceFiles(join(ROOT, 'src')).filter((file) => readFileSync(file, 'utf8').includes("'rdf-validate-shacl/src/"));
    expect(
      importers.map((file) => relative(ROOT, file).replaceAll('\\', '/')),
      `only ${ADAPTER} may import rdf-validate-shacl's private modules`,
    ).toEqual([ADAPTER]);
  });

  it('finds every private module the adapter imports', async () => {
    const specifiers = privateSpecifiers(readFileSync(join(ROOT, ADAPTER), 'utf8'));
    expect(specifiers.length).toBeGreaterThan(3);
    for (const specifier of specifiers) {
      await expect(import(specifier), changed(`${specifier} is gone`)).resolves.toBeDefined();
    }
  });

  it('exports what the adapter re-exports, with the arity it calls them with', async () => {
    const shapesGraph = (await import('rdf-validate-shacl/src/shapes-graph.js')) as Record<string, unknown>;
    expect(typeof shapesGraph.default, changed('src/shapes-graph.js has no default export (the ShapesGraph class)')).toBe('function');
    expect(
      (shapesGraph.default as (...args: unknown[]) => unknown).length,
      changed('new ShapesGraph(validator) takes other arguments'),
    ).toBe(1);
    const constraint = shapesGraph.Constraint as { prototype: object } | undefined;
    expect(typeof constraint, changed('src/shapes-graph.js no longer exports Constraint')).toBe('function');
    const prototype = constraint?.prototype ?? {};
    expect(typeof (prototype as { getParameterValue?: unknown }).getParameterValue, changed('Constraint#getParameterValue is gone')).toBe(
      'function',
    );
    expect(
      (prototype as { getParameterValue: (...args: unknown[]) => unknown }).getParameterValue.length,
      changed('Constraint#getParameterValue(parameter) takes other arguments'),
    ).toBe(1);
    expect(
      typeof Object.getOwnPropertyDescriptor(prototype, 'pathObject')?.get,
      changed('Constraint#pathObject is no longer a getter'),
    ).toBe('function');
    expect(typeof internals.getPathObjects, changed('src/property-path.js no longer exports getPathObjects')).toBe('function');
    expect(internals.getPathObjects.length, changed('getPathObjects(graph, subject, path) takes other arguments')).toBe(3);
    expect(
      Array.isArray(internals.STOCK_VALIDATORS),
      changed('src/validators-registry.js no longer exports an array of [component, validator] pairs'),
    ).toBe(true);
    for (const entry of internals.STOCK_VALIDATORS) {
      expect(
        Array.isArray(entry) && entry.length === 2 && entry[0].termType === 'NamedNode',
        changed('a registry entry is not a [NamedNode, validator] pair'),
      ).toBe(true);
    }
  });

  it('keeps each component it replaces in the stock registry, of the same kind and arity', () => {
    const stock = new Map(internals.STOCK_VALIDATORS.map(([component, validator]) => [component.value, validator]));
    const replaced = overrides.validatorOverrides(DEFAULT_LIMITS, new Store(), (component) => stock.get(component.value));
    expect(replaced.map(([component]) => component.value.slice(SH.length)).sort()).toEqual(
      [
        'Closed',
        'LessThan',
        'LessThanOrEquals',
        'MaxExclusive',
        'MaxInclusive',
        'MaxLength',
        'MinExclusive',
        'MinInclusive',
        'MinLength',
        'Pattern',
      ].map((name) => `${name}ConstraintComponent`),
    );
    for (const [component, replacement] of replaced) {
      const original = stock.get(component.value);
      expect(original, changed(`the registry has no validator for ${component.value}`)).toBeDefined();
      // A generic validator runs on node and property shapes, a property one only on property shapes: the kind must not change.
      expect(kindOf(original ?? {}), changed(`the stock validator of ${component.value} is of another kind`)).toBe(kindOf(replacement));
      const run = (original as Record<string, unknown> | undefined)?.[kindOf(replacement)] as ((...args: unknown[]) => unknown) | undefined;
      expect(
        run?.length,
        changed(`the stock ${kindOf(replacement)} of ${component.value} takes other than (context, focusNode, valueNode, constraint)`),
      ).toBe(4);
    }
  });

  it('patches the registry a validator reads and rebuilds its shapes graph with the replacements', () => {
    let replaced: readonly (readonly [NamedNode, Validator])[] = [];
    const shapes = new Store();
    const validator = internals.validatorWith(
      shapes,
      (stock) => {
        replaced = overrides.validatorOverrides(DEFAULT_LIMITS, shapes, stock);
        return replaced;
      },
      (quads) => new Store(quads === undefined ? [] : [...quads]),
    );
    expect(validator).toBeInstanceOf(SHACLValidator);
    expect(replaced.length).toBeGreaterThan(0);
    for (const [component, replacement] of replaced) {
      expect(
        validator.validators.get(component),
        changed(`SHACLValidator#validators no longer holds what was set for ${component.value}`),
      ).toBe(replacement);
      const parameter = parameterOf(component);
      const built = validator.shapesGraph.getComponentWithParameter(parameter) as { validator?: unknown } | undefined;
      expect(built, changed(`the shapes graph has no component for ${parameter.value}`)).toBeDefined();
      expect(
        built?.validator,
        changed(`a rebuilt ShapesGraph does not take ${component.value}'s validator from SHACLValidator#validators`),
      ).toBe(replacement);
    }
  });
});

describe(`a real validation through the patched validator (rdf-validate-shacl ${VERSION})`, () => {
  // One astral character: a V8 RegExp without the `u` flag (the stock validator's)
  // sees two code units, RE2 one code point, so `^.$` tells the two engines apart.
  const TURTLE = `@prefix sh: <${SH}>. @prefix ex: <urn:example:>.
ex:S a sh:NodeShape; sh:targetNode ex:a; sh:property [ sh:path ex:v; sh:pattern "^.$" ].`;
  const shapes: Quad[] = new Parser().parse(TURTLE);
  const data = new Store([
    DataFactory.quad(DataFactory.namedNode('urn:example:a'), DataFactory.namedNode('urn:example:v'), DataFactory.literal('😀')),
  ]);
  let ShaclRunner: Runner['ShaclRunner'];
  let validatorWith: Internals['validatorWith'];

  beforeAll(async () => {
    ({ ShaclRunner } = await import('../../../src/formal/shacl-validator.js'));
    ({ validatorWith } = await import('../../../src/formal/shacl-internals.js'));
  });

  it('tells the engines apart: the stock validator rejects what RE2 accepts', async () => {
    const report = await new SHACLValidator(new Store(shapes)).validate(data);
    expect(report.conforms).toBe(false);
  });

  it('runs sh:pattern on RE2', async () => {
    const report = await new ShaclRunner(shapes, DEFAULT_LIMITS).validate(data);
    expect(
      report.conforms,
      changed('sh:pattern no longer runs on the RE2 validator tierguard puts in the registry (the stock V8 RegExp ran)'),
    ).toBe(true);
    expect(report.results).toEqual([]);
  });

  it("reports a value the pattern does not match, as the report tierguard reads (its dataset, each result's term)", async () => {
    const other = new Store([
      DataFactory.quad(DataFactory.namedNode('urn:example:a'), DataFactory.namedNode('urn:example:v'), DataFactory.literal('ab')),
    ]);
    const report = await new ShaclRunner(shapes, DEFAULT_LIMITS).validate(other);
    expect(report.conforms).toBe(false);
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result?.term.termType, changed('a ValidationResult no longer has the term of its node in the report')).toBe('BlankNode');
    expect(report.dataset.match(result?.term ?? null, sh('sourceConstraintComponent'), sh('PatternConstraintComponent')).size).toBe(1);
  });

  it('builds the shapes graph, the results and the report in the datasets it is given', async () => {
    const made: unknown[] = [];
    const validator = validatorWith(
      new Store(shapes),
      () => [],
      (quads?: Iterable<Quad>) => {
        const dataset = new QuadDataset(quads);
        made.push(dataset);
        return dataset;
      },
    );
    const other = new Store([
      DataFactory.quad(DataFactory.namedNode('urn:example:a'), DataFactory.namedNode('urn:example:v'), DataFactory.literal('ab')),
    ]);
    const report = await validator.validate(other);
    expect(report.conforms).toBe(false);
    expect(
      (validator.$shapes as unknown as { dataset: unknown }).dataset,
      changed('the factory option no longer makes the copy of the shapes graph'),
    ).toBeInstanceOf(QuadDataset);
    expect(report.dataset, changed('the factory option no longer makes the report dataset')).toBeInstanceOf(QuadDataset);
    expect(made).toContain(report.dataset);
  });

  it("names the validator's vocabulary with one term per name, in the namespaces it had", () => {
    const validator = validatorWith(
      new Store(shapes),
      () => [],
      (quads?: Iterable<Quad>) => new QuadDataset(quads),
    );
    const namespaces = validator.ns as unknown as Record<string, Record<string, NamedNode>>;
    expect(Object.keys(namespaces).sort(), changed('SHACLValidator#ns no longer holds the namespaces sh, xsd, rdf, rdfs and owl')).toEqual([
      'owl',
      'rdf',
      'rdfs',
      'sh',
      'xsd',
    ]);
    expect(namespaces.sh?.minCount?.value).toBe(`${SH}minCount`);
    expect(namespaces.sh?.minCount).toBe(namespaces.sh?.minCount);
    expect(namespaces.rdf?.first?.value).toBe('http://www.w3.org/1999/02/22-rdf-syntax-ns#first');
  });

  it("turns off the engine's per-node check limit, which took a value to conform after 50 checks", () => {
    const validator = validatorWith(
      new Store(shapes),
      () => [],
      (quads?: Iterable<Quad>) => new QuadDataset(quads),
    );
    expect(
      (validator.validationEngine as unknown as { maxNodeChecks?: unknown }).maxNodeChecks,
      changed('the validation engine no longer reads the maxNodeChecks option'),
    ).toBe(0);
  });

  it('applies tierguard limits inside the patched validator', async () => {
    const limits: Limits = { ...DEFAULT_LIMITS, maxStringLength: 1 };
    const longer = new Store([
      DataFactory.quad(DataFactory.namedNode('urn:example:a'), DataFactory.namedNode('urn:example:v'), DataFactory.literal('abc')),
    ]);
    const failure = await new ShaclRunner(shapes, limits).validate(longer).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure, changed('an error thrown by a replaced validator no longer propagates out of validate')).toBeInstanceOf(TierguardError);
    expect((failure as TierguardError).code).toBe('LIMIT_EXCEEDED');
  });
});
