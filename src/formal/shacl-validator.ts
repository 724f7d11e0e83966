import type { DatasetCore, Quad } from '@rdfjs/types';
import { Store } from 'n3';
import type SHACLValidator from 'rdf-validate-shacl';
import type { Limits } from '../limits.js';
import type { ValidationReport } from './shacl-internals.js';
import { validatorWith } from './shacl-internals.js';
import { QuadDataset } from './quad-dataset.js';
import { validatorOverrides } from './validator-overrides.js';

/**
 * A SHACL validator for one shapes graph, built once and reused for every
 * action. Construction costs tens of milliseconds (rdf-validate-shacl loads the
 * SHACL vocabulary), so it happens when policies are compiled, never per call.
 * Every graph the validator builds is a {@link QuadDataset}, whose lookups cost
 * a fraction of the default dataset's.
 * `maxErrors` is deliberately unset: rdf-validate-shacl 0.6 keeps its error count
 * across calls, and a reused validator would then return a stale report.
 */
export class ShaclRunner {
  private readonly validator: SHACLValidator;

  constructor(shapes: readonly Quad[], limits: Limits) {
    const shapesGraph = new Store([...shapes]);
    this.validator = validatorWith(
      shapesGraph,
      (stock) => validatorOverrides(limits, shapesGraph, stock),
      (quads) => new QuadDataset(quads),
    );
  }

  /** Validates a data graph; throws what a constraint threw (e.g. a limit), for the caller to turn into an error. */
  validate(data: DatasetCore): Promise<ValidationReport> {
    return this.validator.validate(data);
  }
}
