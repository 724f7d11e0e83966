/*
 * The one module that imports rdf-validate-shacl's private `src/` modules. Its
 * package has no exports map, so they resolve, but they are not its API: any
 * release may move or reshape them. Everything the formal tier needs from them
 * is re-exported here, and tests/unit/formal/shacl-internals.test.ts fails with
 * the installed version and what changed when any of it does.
 *
 * To be replaced by upstream's `constraintValidators` constructor option
 * (zazuko/rdf-validate-shacl pull request #170, "feat: custom validators",
 * released after 0.6.5): `new SHACLValidator(shapes, { constraintValidators })`
 * takes validators that each name their `component` and override the stock ones
 * before the shapes graph is built. That replaces {@link validatorWith}'s
 * registry patch and shapes-graph rebuild, and the root entry then exports the
 * `Validator` type. `getPathObjects` and the stock registry have no public
 * equivalent there yet.
 */
import type { DatasetCore, NamedNode, Quad } from '@rdfjs/types';
import SHACLValidator from 'rdf-validate-shacl';
import defaultEnvironment from 'rdf-validate-shacl/src/defaultEnv.js';
import ShapesGraph from 'rdf-validate-shacl/src/shapes-graph.js';
import stockRegistry from 'rdf-validate-shacl/src/validators-registry.js';
import type { Validator } from 'rdf-validate-shacl/src/validation-engine.js';
import { memoByKey } from './memo-by-key.js';
import { sharedNamespace } from './shared-namespace.js';

/** A constraint as a validator sees it: its shape, its parameters (`getParameterValue`) and its property path (`pathObject`). */
export type { Constraint } from 'rdf-validate-shacl/src/shapes-graph.js';
/** The validator interface: generic (`validate`), node-only (`nodeValidate`) or property-only (`propertyValidate`), and one result. */
export type { GenericValidator, PropertyValidator, ValidationResult, Validator } from 'rdf-validate-shacl/src/validation-engine.js';
/** The report `SHACLValidator.validate` resolves to. */
export type { ValidationReport } from 'rdf-validate-shacl/src/validation-report.js';
/** The nodes a SHACL property path reaches from a node of a graph, as the stock validators follow it. */
export { getPathObjects } from 'rdf-validate-shacl/src/property-path.js';

/** The stock validator of a constraint component, or `undefined` when rdf-validate-shacl has none. */
export type StockValidator = (component: NamedNode) => Validator | undefined;

/**
 * The constraint components rdf-validate-shacl has a validator for, with the
 * stock validators, in its registry's order: what a shapes graph can run.
 */
export const STOCK_VALIDATORS: readonly (readonly [NamedNode, Validator])[] = stockRegistry;

/** Makes the datasets a validator builds: its copy of the shapes graph, each result and the report. */
export type DatasetMaker = (quads?: Iterable<Quad>) => DatasetCore;

/**
 * What the adapter uses of rdf-validate-shacl's default environment (the RDF/JS
 * factories it builds everything with, as one object of methods): a copy, its
 * dataset factory, its namespace factory, and its named node factory. Its own
 * type names a package without types.
 */
interface Factories {
  clone(): Factories;
  dataset: DatasetMaker;
  namedNode: (iri: string) => NamedNode;
  namespace: (base: string) => unknown;
}
const STOCK_FACTORIES = defaultEnvironment as unknown as Factories;

/**
 * The validation engine's `maxNodeChecks` (an option it reads, not one its
 * types declare), off. The engine counts, over a whole validation, how often it
 * checks a value against a shape through `sh:node`, and past 50 checks it takes
 * the value to conform without checking it: an `sh:or` whose first alternative
 * holds an `sh:node`, tried on each of 61 order lines with the same value, let
 * the last line through although it fails both alternatives, and the action was
 * allowed. The counter is there to end recursive shapes, which tierguard refuses
 * when it loads them (recursive-shapes.ts), over an action's graph, which is a
 * tree; it also cost a JSON.stringify of the value and the shape on every check.
 */
const WITHOUT_NODE_CHECK_LIMIT = { maxNodeChecks: 0 };

/** How many namespaces a validator keeps; clownface asks for two. */
const MAX_NAMESPACES = 64;

/**
 * A validator for `shapes` in which the validators `replacements` returns stand
 * in for the stock ones of their components. `replacements` is called once,
 * before anything is replaced, with the stock validator of each component (to
 * wrap it, or to keep it for cases it still handles). `dataset` makes every
 * dataset the validator builds, in place of its default `@rdfjs/dataset` (through
 * the `factory` option, an environment like its default one), and the terms of
 * its vocabulary are made once.
 */
export function validatorWith(
  shapes: DatasetCore,
  replacements: (stock: StockValidator) => Iterable<readonly [NamedNode, Validator]>,
  dataset: DatasetMaker,
): SHACLValidator {
  const factories = STOCK_FACTORIES.clone();
  factories.dataset = dataset;
  // clownface makes its namespaces for every pointer, and the validator its
  // vocabulary's terms (sh:minCount, rdf:first, ...) at every use, a few hundred
  // per action; made once per validator, they cost nothing per action.
  const namedNode = factories.namedNode.bind(factories);
  const namespace = memoByKey((base) => sharedNamespace(base, namedNode), MAX_NAMESPACES);
  factories.namespace = namespace;
  const validator = new SHACLValidator(shapes, { factory: factories, ...WITHOUT_NODE_CHECK_LIMIT });
  const namespaces = Object.entries(validator.ns as unknown as Record<string, (name: string) => NamedNode>);
  validator.ns = Object.fromEntries(
    namespaces.map(([prefix, builder]) => [prefix, namespace(builder('').value)]),
  ) as unknown as SHACLValidator['ns'];
  const chosen = [...replacements((component) => validator.validators.get(component))];
  for (const [component, replacement] of chosen) validator.validators.set(component, replacement);
  // Constraint components read their validator when the shapes graph is built,
  // so the one the constructor built has the stock validators: build it again.
  validator.shapesGraph = new ShapesGraph(validator);
  return validator;
}
