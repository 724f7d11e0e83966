import type { DatasetCore, Quad } from '@rdfjs/types';
import { Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import ShapesGraph from 'rdf-validate-shacl/src/shapes-graph.js';
import type { ValidationReport } from 'rdf-validate-shacl/src/validation-report.js';
import type { Limits } from '../limits.js';
import { validatorOverrides } from './validator-overrides.js';

/**
 * A SHACL validator for one shapes graph, built once and reused for every
 * action. Construction costs tens of milliseconds (rdf-validate-shacl loads the
 * SHACL vocabulary), so it happens when policies are compiled, never per call.
 * `maxErrors` is deliberately unset: rdf-validate-shacl 0.6 keeps its error count
 * across calls, and a reused validator would then return a stale report.
 */
export class ShaclRunner {
  private readonly validator: SHACLValidator;

  constructor(shapes: readonly Quad[], limits: Limits) {
    const shapesGraph = new Store([...shapes]);
    const validator = new SHACLValidator(shapesGraph);
    // Constraint components read their validator when the shapes graph is built,
    // so tierguard's validators are swapped in first and the shapes graph rebuilt.
    // The list is built (reading the stock validators it wraps) before any is replaced.
    const overrides = validatorOverrides(limits, shapesGraph, (component) => validator.validators.get(component));
    for (const [component, replacement] of overrides) validator.validators.set(component, replacement);
    validator.shapesGraph = new ShapesGraph(validator);
    this.validator = validator;
  }

  /** Validates a data graph; throws what a constraint threw (e.g. a limit), for the caller to turn into an error. */
  validate(data: DatasetCore): Promise<ValidationReport> {
    return this.validator.validate(data);
  }
}
