import { createHash } from 'node:crypto';
import { DataFactory } from 'n3';
import type { BlankNode, NamedNode, Quad, Quad_Object, Quad_Subject } from '@rdfjs/types';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { isArrayIndex } from '../path/own-property.js';
import { PathSyntaxError, parseDotPath } from '../path/parse-path.js';
import { DefinitionIssue } from '../definition-issue.js';
import { RegexSyntaxError, compileRegex } from '../regex/regex-engine.js';
import type { PropertyShapeDefinition, ShapeDefinition, ValueConstraints } from '../types.js';
import { DATATYPES, numberLiteral, shapeLiteral } from './json-literal.js';
import { ACTION_CLASS, RDF, SH, XSD, keyPredicate, policyClass, shapeNode } from './vocabulary.js';

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

/**
 * Prefix of the pointer segment naming a shape tierguard adds for one key of a
 * definition (`.../@datatype`, `.../@or`): `@` starts no key of a shape
 * definition, so such a name never collides with a definition's own pointer.
 */
export const HELPER_SHAPE_PREFIX = '@';

/**
 * Generates the SHACL for one policy's `shape` as RDF/JS quads, built term by
 * term with the n3 DataFactory: no text from the definition is ever pasted into
 * Turtle. Shapes are named after the JSON pointer of their definition, so each
 * validation result leads back to the definition that produced it. Throws
 * {@link DefinitionIssue} for what the JSON Schema cannot check: paths, patterns.
 */
export function generateShapes(
  policyId: string,
  shape: ShapeDefinition,
  target: ShapeTarget = 'policy',
  limits: PatternLimits = DEFAULT_LIMITS,
): Quad[] {
  return new ShapeGenerator(policyId, limits).generate(shape, target);
}

/**
 * What the top shape targets: `policy`, the policy's own class, which the engine
 * gives an action only when the policy applies (so many policies share one
 * validator); or `action`, every `tg:Action`, for Turtle that stands on its own
 * as a hand-written `shapesFile`.
 */
export type ShapeTarget = 'policy' | 'action';

/** The limits an `sh:pattern` of a generated shape is checked against. */
export type PatternLimits = Pick<Limits, 'maxPatternLength' | 'maxRegexProgramSize' | 'maxRegexWork'>;

class ShapeGenerator {
  private readonly quads: Quad[] = [];
  private nextBlank = 0;
  // Blank-node labels carry a digest of the policy id, so the shapes of many
  // policies can share one graph without two lists colliding.
  private readonly blankSuffix: string;

  constructor(
    private readonly policyId: string,
    private readonly limits: PatternLimits,
  ) {
    this.blankSuffix = createHash('sha256').update(policyId).digest('hex').slice(0, 10);
  }

  generate(shape: ShapeDefinition, target: ShapeTarget): Quad[] {
    const root = shapeNode(this.policyId, '/shape');
    this.add(root, sh('targetClass'), target === 'policy' ? policyClass(this.policyId) : ACTION_CLASS);
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
      this.propertyShape(propertyNode, property, segments, propertyPointer);
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

  private propertyShape(node: NamedNode, property: PropertyShapeDefinition, segments: readonly string[], pointer: string): void {
    this.add(node, RDF_TYPE, sh('PropertyShape'));
    const path = this.shaclPath(segments);
    this.add(node, sh('path'), path);
    if (property.minCount !== undefined) this.add(node, sh('minCount'), numberLiteral(property.minCount));
    if (property.maxCount !== undefined) this.add(node, sh('maxCount'), numberLiteral(property.maxCount));
    this.valueConstraints(node, property, pointer, true);
    if (property.node !== undefined) {
      const nested = shapeNode(this.policyId, `${pointer}/node`);
      this.add(node, sh('node'), nested);
      this.nodeShape(nested, property.node, `${pointer}/node`);
    }
    for (const key of PAIR_KEYS) {
      const sibling = property[key];
      if (sibling === undefined) continue;
      if (segments.length > 1) {
        // SHACL compares with the sibling of the shape's focus node, not of the
        // object holding the value; a dotted path would compare the wrong keys.
        throw new DefinitionIssue(
          `${pointer}/${key}`,
          'a property shape with a one-key path',
          `${key} compares sibling keys of one object: put it in a nested "node" whose path is one key`,
          property.path,
        );
      }
      this.add(node, sh(key), keyPredicate(sibling));
    }
  }

  private valueConstraints(node: NamedNode, constraints: ValueConstraints, pointer: string, isProperty = false): void {
    if (constraints.datatype === 'decimal') {
      // SHACL compares datatype IRIs exactly, and xsd:integer is not xsd:decimal
      // there; a JSON user expects 100 to be a decimal, so decimal means either.
      // The alternative sits in a node shape named after the key (`.../datatype`),
      // so its results report `datatype`, not an `or` the user did not write.
      const check = shapeNode(this.policyId, `${pointer}/${HELPER_SHAPE_PREFIX}datatype`);
      this.add(node, sh('node'), check);
      this.add(check, RDF_TYPE, sh('NodeShape'));
      this.add(check, sh('or'), this.list([DATATYPES.integer, DATATYPES.decimal].map((datatype) => this.datatypeShape(datatype))));
      this.severityAndMessage(check, constraints);
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
      this.add(this.logicHolder(node, pointer, key, isProperty, constraints), sh(key), this.list(shapes));
    }
    if (constraints.not !== undefined) {
      const operandNode = shapeNode(this.policyId, `${pointer}/not`);
      this.nodeShape(operandNode, constraints.not, `${pointer}/not`);
      this.add(this.logicHolder(node, pointer, 'not', isProperty, constraints), sh('not'), operandNode);
    }
    this.severityAndMessage(node, constraints);
  }

  /**
   * Where a logical constraint goes. On a node shape, the node itself. On a
   * property shape, a node shape of its own (named `.../@or` and so on) that every
   * value must satisfy: rdf-validate-shacl 0.6 applies a property shape's
   * sh:and/sh:or/sh:xone/sh:not to the wrong node when the path has several keys,
   * and sh:node is applied correctly on every path.
   */
  private logicHolder(node: NamedNode, pointer: string, key: string, isProperty: boolean, constraints: ValueConstraints): NamedNode {
    if (!isProperty) return node;
    const holder = shapeNode(this.policyId, `${pointer}/${HELPER_SHAPE_PREFIX}${key}`);
    this.add(node, sh('node'), holder);
    this.add(holder, RDF_TYPE, sh('NodeShape'));
    this.severityAndMessage(holder, constraints);
    return holder;
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
    if (segments.some(isArrayIndex)) {
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
    if (pattern.length > this.limits.maxPatternLength) {
      throw new DefinitionIssue(`${pointer}/pattern`, `a pattern of at most ${this.limits.maxPatternLength} characters`);
    }
    try {
      compileRegex(pattern, flags, this.limits);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new DefinitionIssue(`${pointer}/pattern`, 'an RE2 pattern', error.message, pattern);
      throw error;
    }
  }
}

function scalarLiteral(value: string | number | boolean): Quad_Object {
  const term = shapeLiteral(value);
  if (term === undefined) throw new RangeError(`${String(value)} has no literal form`);
  return term;
}
