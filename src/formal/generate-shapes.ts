import { createHash } from 'node:crypto';
import { DataFactory } from 'n3';
import type { BlankNode, NamedNode, Quad, Quad_Object, Quad_Subject } from '@rdfjs/types';
import { PathSyntaxError, parseDotPath } from '../path/parse-path.js';
import { DefinitionIssue } from '../policy/definition-issue.js';
import { RegexSyntaxError, compileRegex } from '../regex/regex-engine.js';
import type { PropertyShapeDefinition, ShapeDefinition, ValueConstraints } from '../types.js';
import { DATATYPES, jsonLiteral, numberLiteral } from './json-literal.js';
import { RDF, SH, XSD, keyPredicate, policyClass, shapeNode } from './vocabulary.js';

const sh = (name: string): NamedNode => DataFactory.namedNode(`${SH}${name}`);
const RDF_TYPE = DataFactory.namedNode(`${RDF}type`);
const RDF_FIRST = DataFactory.namedNode(`${RDF}first`);
const RDF_REST = DataFactory.namedNode(`${RDF}rest`);
const RDF_NIL = DataFactory.namedNode(`${RDF}nil`);
const TRUE = DataFactory.literal('true', DataFactory.namedNode(`${XSD}boolean`));

/** Keys whose value is a number literal in the shape. */
const NUMERIC_KEYS = ['minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive'] as const;
/** Keys whose value is a count (an xsd:integer). */
const COUNT_KEYS = ['minLength', 'maxLength'] as const;
/** Property-pair keys: the value names a sibling key of the same object. */
const PAIR_KEYS = ['equals', 'disjoint', 'lessThan', 'lessThanOrEquals'] as const;
/** Logical keys whose value is a list of shapes. */
const LIST_KEYS = ['and', 'or', 'xone'] as const;

/** Suffix of the property shape that holds a `decimal` datatype check, beside the property's own shape. */
export const DECIMAL_CHECK = 'datatype';

/**
 * Generates the SHACL for one policy's `shape` as RDF/JS quads, built term by
 * term with the n3 DataFactory: no text from the definition is ever pasted into
 * Turtle. Shapes are named after the JSON pointer of their definition, so each
 * validation result leads back to the definition that produced it. Throws
 * {@link DefinitionIssue} for what the JSON Schema cannot check: paths, patterns.
 */
export function generateShapes(policyId: string, shape: ShapeDefinition): Quad[] {
  return new ShapeGenerator(policyId).generate(shape);
}

class ShapeGenerator {
  private readonly quads: Quad[] = [];
  private nextBlank = 0;
  // Blank-node labels carry a digest of the policy id, so the shapes of many
  // policies can share one graph without two lists colliding.
  private readonly blankSuffix: string;

  constructor(private readonly policyId: string) {
    this.blankSuffix = createHash('sha256').update(policyId).digest('hex').slice(0, 10);
  }

  generate(shape: ShapeDefinition): Quad[] {
    const root = shapeNode(this.policyId, '/shape');
    this.add(root, sh('targetClass'), policyClass(this.policyId));
    this.nodeShape(root, shape, '/shape', true);
    return this.quads;
  }

  private add(subject: Quad_Subject, predicate: NamedNode, object: Quad_Object): void {
    this.quads.push(DataFactory.quad(subject, predicate, object));
  }

  private blank(): BlankNode {
    const node = DataFactory.blankNode(`l${this.nextBlank}x${this.blankSuffix}`);
    this.nextBlank += 1;
    return node;
  }

  private list(items: readonly Quad_Object[]): Quad_Object {
    let head: Quad_Object = RDF_NIL;
    for (const item of [...items].reverse()) {
      const cell = this.blank();
      this.add(cell, RDF_FIRST, item);
      this.add(cell, RDF_REST, head);
      head = cell;
    }
    return head;
  }

  private nodeShape(node: NamedNode, shape: ShapeDefinition, pointer: string, isRoot = false): void {
    this.add(node, RDF_TYPE, sh('NodeShape'));
    this.valueConstraints(node, shape, pointer);
    const firstSegments: string[] = [];
    shape.properties?.forEach((property, index) => {
      const propertyPointer = `${pointer}/properties/${index}`;
      const segments = this.pathSegments(property.path, `${propertyPointer}/path`);
      if (segments.length > 1 && segments[0] !== undefined) firstSegments.push(segments[0]);
      const propertyNode = shapeNode(this.policyId, propertyPointer);
      this.add(node, sh('property'), propertyNode);
      this.propertyShape(node, propertyNode, property, segments, propertyPointer);
    });
    if (shape.closed === true) {
      // sh:closed only sees simple predicate paths; the first keys of dotted paths
      // are allowed explicitly, and at the action's root so are `tool` and `kind`.
      const always = isRoot ? ['tool', 'kind'] : [];
      const ignored = [...new Set([...always, ...firstSegments])].map(keyPredicate);
      this.add(node, sh('closed'), TRUE);
      this.add(node, sh('ignoredProperties'), this.list([RDF_TYPE, ...ignored]));
    }
  }

  private propertyShape(
    parent: NamedNode,
    node: NamedNode,
    property: PropertyShapeDefinition,
    segments: readonly string[],
    pointer: string,
  ): void {
    this.add(node, RDF_TYPE, sh('PropertyShape'));
    const path = this.shaclPath(segments);
    this.add(node, sh('path'), path);
    if (property.minCount !== undefined) this.add(node, sh('minCount'), numberLiteral(property.minCount));
    if (property.maxCount !== undefined) this.add(node, sh('maxCount'), numberLiteral(property.maxCount));
    this.valueConstraints(node, property, pointer, { parent, path: () => this.shaclPath(segments) });
    if (property.node !== undefined) {
      const nested = shapeNode(this.policyId, `${pointer}/node`);
      this.add(node, sh('node'), nested);
      this.nodeShape(nested, property.node, `${pointer}/node`);
    }
    for (const key of PAIR_KEYS) {
      const sibling = property[key];
      if (sibling !== undefined) this.add(node, sh(key), keyPredicate(sibling));
    }
  }

  private valueConstraints(
    node: NamedNode,
    constraints: ValueConstraints,
    pointer: string,
    property?: { readonly parent: NamedNode; readonly path: () => Quad_Object },
  ): void {
    if (constraints.datatype === 'decimal') {
      // SHACL compares datatype IRIs exactly, and xsd:integer is not xsd:decimal
      // there; a JSON user expects 100 to be a decimal, so decimal means either.
      const either = this.list([DATATYPES.integer, DATATYPES.decimal].map((datatype) => this.datatypeShape(datatype)));
      if (property !== undefined) {
        // A sibling property shape of its own (same focus node, same path), so its
        // results name `datatype`, not an `or` the user did not write.
        const check = shapeNode(this.policyId, `${pointer}/${DECIMAL_CHECK}`);
        this.add(property.parent, sh('property'), check);
        this.add(check, RDF_TYPE, sh('PropertyShape'));
        this.add(check, sh('path'), property.path());
        this.add(check, sh('or'), either);
        this.severityAndMessage(check, constraints);
      } else {
        this.add(node, sh('or'), either);
      }
    } else if (constraints.datatype !== undefined) {
      this.add(node, sh('datatype'), DATATYPES[constraints.datatype]);
    }
    if (constraints.pattern !== undefined) {
      this.checkPattern(constraints.pattern, constraints.flags ?? '', pointer);
      this.add(node, sh('pattern'), DataFactory.literal(constraints.pattern));
      if (constraints.flags) this.add(node, sh('flags'), DataFactory.literal(constraints.flags));
    }
    for (const key of COUNT_KEYS) {
      const value = constraints[key];
      if (value !== undefined) this.add(node, sh(key), numberLiteral(value));
    }
    for (const key of NUMERIC_KEYS) {
      const value = constraints[key];
      if (value !== undefined) this.add(node, sh(key), numberLiteral(value));
    }
    if (constraints.in !== undefined) {
      this.add(node, sh('in'), this.list(constraints.in.map((item) => scalarLiteral(item))));
    }
    if (constraints.hasValue !== undefined) this.add(node, sh('hasValue'), scalarLiteral(constraints.hasValue));
    for (const key of LIST_KEYS) {
      const operands = constraints[key];
      if (operands === undefined) continue;
      const shapes = operands.map((operand, index) => {
        const operandNode = shapeNode(this.policyId, `${pointer}/${key}/${index}`);
        this.nodeShape(operandNode, operand, `${pointer}/${key}/${index}`);
        return operandNode;
      });
      this.add(node, sh(key), this.list(shapes));
    }
    if (constraints.not !== undefined) {
      const operandNode = shapeNode(this.policyId, `${pointer}/not`);
      this.nodeShape(operandNode, constraints.not, `${pointer}/not`);
      this.add(node, sh('not'), operandNode);
    }
    this.severityAndMessage(node, constraints);
  }

  private severityAndMessage(node: NamedNode, constraints: ValueConstraints): void {
    if (constraints.severity !== undefined) this.add(node, sh('severity'), sh(constraints.severity));
    if (constraints.message !== undefined) this.add(node, sh('message'), DataFactory.literal(constraints.message));
  }

  private datatypeShape(datatype: NamedNode): BlankNode {
    const node = this.blank();
    this.add(node, sh('datatype'), datatype);
    return node;
  }

  private shaclPath(segments: readonly string[]): Quad_Object {
    const predicates = segments.map(keyPredicate);
    const [only] = predicates;
    return predicates.length === 1 && only !== undefined ? only : this.list(predicates);
  }

  private pathSegments(path: string, pointer: string): string[] {
    let segments: string[];
    try {
      segments = parseDotPath(path);
    } catch (error) {
      if (error instanceof PathSyntaxError) throw new DefinitionIssue(pointer, 'a dot-path of keys', error.message, path);
      throw error;
    }
    if (segments.some((segment) => /^(0|[1-9][0-9]*)$/.test(segment))) {
      throw new DefinitionIssue(
        pointer,
        'a dot-path of keys without array indices',
        'shape paths cannot index arrays: an array is the repeated values of its key, constrained with minCount, maxCount and node',
        path,
      );
    }
    return segments;
  }

  private checkPattern(pattern: string, flags: string, pointer: string): void {
    try {
      compileRegex(pattern, flags);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new DefinitionIssue(`${pointer}/pattern`, 'an RE2 pattern', error.message, pattern);
      throw error;
    }
  }
}

function scalarLiteral(value: string | number | boolean): Quad_Object {
  const term = jsonLiteral(value);
  if (term === undefined) throw new RangeError(`${String(value)} has no literal form`);
  return term;
}
