import type { Limits } from '../../limits.js';
import { isArrayIndex } from '../../path/own-property.js';
import { compileRegex, type RegexLike } from '../../regex/regex-engine.js';
import {
  ARRAY_KEYWORDS,
  elementSchemas,
  elementsOf,
  hasCombinators,
  inBranch,
  isNode,
  OBJECT_KEYWORDS,
  OPEN,
  own,
  typeIncludes,
  type SchemaNode as Node,
  type SchemaStep,
} from './schema-keywords.js';

/** Where a path leads in a JSON Schema. */
export type SchemaWalk =
  | {
      readonly found: true;
      /**
       * The subschemas the last step led to, any of which the value there may
       * have to satisfy (before their `$ref`s and combinators are followed);
       * absent when the walk met a schema open to anything on the way.
       */
      readonly schemas?: readonly unknown[];
    }
  | {
      readonly found: false;
      /** How many steps matched before the one that did not. */
      readonly matched: number;
      /** Why: no such key, the value there is no object or array, or the schema could not be followed. */
      readonly reason: 'missing' | 'not-container' | 'unfollowable';
      /** For `unfollowable`, what stopped the walk. */
      readonly detail?: string;
      /** The property names the schema does list at that level (for "did you mean"). */
      readonly names: readonly string[];
    };

/** How a walk reads its steps. */
export interface SchemaWalkOptions {
  /** Arrays are repeated values (shape paths): a key step on an array schema applies to its elements. */
  readonly arraysTransparent: boolean;
  /** Bounds the walk: `maxDepth` for nested `$ref`s and combinators, `maxNodes` for every subschema visited. */
  readonly limits: Pick<Limits, 'maxDepth' | 'maxNodes' | 'maxPatternLength' | 'maxRegexProgramSize' | 'maxRegexWork'>;
}

/** A subschema that says nothing of the keys or elements of its value. */
const NEUTRAL = Symbol('neutral');

// More names than this at one level are not offered as suggestions: computing
// distances to a million property names is work no typo report needs.
const MAX_NAMES = 10_000;

/** Most `patternProperties` patterns one walk compiles. */
const MAX_COMPILED_PATTERNS = 256;

/** Stops a walk the limits do not allow to finish. */
class Unfollowable extends Error {}

/** What a `$ref` names: the subschema, or why it cannot be followed. */
export type ResolvedRef = { readonly schema: unknown } | { readonly unresolved: string };

/**
 * The subschema a `$ref` names in `root`: `#`, or a JSON pointer under
 * `#/$defs/` or `#/definitions/`, read through own keys only. Any other
 * reference, a malformed pointer and one that points at nothing are `unresolved`.
 */
export function resolveLocalRef(root: unknown, ref: string): ResolvedRef {
  const shown = JSON.stringify(ref.slice(0, 200));
  if (ref === '#') return { schema: root };
  if (!ref.startsWith('#/$defs/') && !ref.startsWith('#/definitions/')) {
    return { unresolved: `it refers to ${shown}, which is not under #/$defs or #/definitions` };
  }
  let target: unknown = root;
  for (const token of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return { unresolved: `its $ref ${shown} is not a valid JSON pointer` };
    }
    target = isNode(target) ? own(target, key) : undefined;
  }
  return target === undefined ? { unresolved: `its $ref ${shown} points at nothing` } : { schema: target };
}

/**
 * Follows `steps` through `root`, a JSON Schema (2020-12 or draft-07 style).
 * A key exists when some schema that applies to the value lists it in
 * `properties`, matches it with a `patternProperties` pattern, or is open to it:
 * `additionalProperties` (or `unevaluatedProperties`) true or a schema, `true`,
 * a bare `{ "type": "object" }`, or schemas that say nothing of the value's keys
 * (`{}`, a description, `required` alone) when no other schema for the value
 * lists any. A schema that lists `properties` and says nothing of others is read
 * as closed, as MCP tool schemas are written. Elements follow
 * `prefixItems`/`items` (and draft-07's array `items` with `additionalItems`);
 * an array schema with no `items` is open. `$ref` to `#`, `#/$defs/...` or
 * `#/definitions/...` is followed (a cycle stops, never loops), any other
 * reference is unfollowable; the branches of `allOf`/`anyOf`/`oneOf` (and
 * `then`/`else`) all apply, so a key exists when it exists in any of them.
 * Property names are read as own keys only, so `__proto__` and `constructor`
 * are plain names. A `patternProperties` pattern that RE2 will not compile
 * (or that is over `limits.maxPatternLength`) is taken to match. Total: a non-object subschema is ignored, and a schema
 * deeper than `limits.maxDepth` or larger than `limits.maxNodes` is unfollowable.
 */
export function walkSchema(root: unknown, steps: readonly SchemaStep[], options: SchemaWalkOptions): SchemaWalk {
  const walker = new Walker(root, options);
  try {
    return walker.walk(steps);
  } catch (error) {
    if (error instanceof Unfollowable)
      return { found: false, matched: walker.matched, reason: 'unfollowable', detail: error.message, names: [] };
    throw error;
  }
}

class Walker {
  matched = 0;
  private visited = 0;
  private readonly patterns = new Map<string, RegexLike | undefined>();

  constructor(
    private readonly root: unknown,
    private readonly options: SchemaWalkOptions,
  ) {}

  walk(steps: readonly SchemaStep[]): SchemaWalk {
    let nodes = this.expandAll([this.root], 0);
    let reached: readonly unknown[] = [this.root];
    for (const step of steps) {
      if (nodes === OPEN) return { found: true };
      const names = new Set<string>();
      const stepped = this.stepAll(nodes, step, names, 0);
      if (stepped === OPEN) return { found: true };
      reached = stepped.children;
      nodes = this.expandAll(stepped.children, 0);
      // A step to nothing but `false` schemas leads nowhere, as one to no schema does.
      if (nodes !== OPEN && nodes.length === 0) {
        return { found: false, matched: this.matched, reason: stepped.container ? 'missing' : 'not-container', names: [...names] };
      }
      this.matched += 1;
    }
    return nodes === OPEN ? { found: true } : { found: true, schemas: reached };
  }

  /**
   * The subschemas `step` leads to from a set of schemas that all apply to one
   * value. Schemas that say nothing of what the value holds (`{}`, a
   * description, `required` alone, a bare `type: object` beside combinators)
   * open the value only when no other schema of the set says which keys or
   * elements it has: `{ properties: { a }, anyOf: [{ required: [a] }] }` is closed.
   */
  private stepAll(
    nodes: readonly Node[],
    step: SchemaStep,
    names: Set<string>,
    depth: number,
  ): { readonly children: unknown[]; readonly container: boolean } | typeof OPEN {
    const children: unknown[] = [];
    let container = false;
    let neutral = false;
    for (const node of nodes) {
      const stepped = this.step(node, step, names, depth);
      if (stepped === OPEN) return OPEN;
      if (stepped === NEUTRAL) neutral = true;
      else if (stepped !== undefined) {
        container = true;
        for (const child of stepped) children.push(child);
      }
    }
    return neutral && !container ? OPEN : { children, container };
  }

  /** The object subschemas a set of schemas stands for, `$ref`s and combinators followed; OPEN for a `true` among them. */
  private expandAll(schemas: readonly unknown[], depth: number): Node[] | typeof OPEN {
    const nodes = new Set<Node>();
    for (const schema of schemas) if (this.expand(schema, depth, new Set(), nodes) === OPEN) return OPEN;
    return [...nodes];
  }

  private expand(schema: unknown, depth: number, refs: Set<string>, into: Set<Node>): typeof OPEN | undefined {
    this.count();
    if (depth > this.options.limits.maxDepth)
      throw new Unfollowable(`it nests deeper than limits.maxDepth (${this.options.limits.maxDepth})`);
    if (schema === true) return OPEN;
    if (!isNode(schema) || into.has(schema)) return undefined;
    into.add(schema);
    const ref = own(schema, '$ref');
    if (typeof ref === 'string') {
      // A reference met again on the same chain is a cycle: it adds nothing new.
      if (!refs.has(ref)) {
        const next = new Set(refs).add(ref);
        if (this.expand(inBranch(this.resolve(ref)), depth + 1, next, into) === OPEN) return OPEN;
      }
    }
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = own(schema, keyword);
      if (!Array.isArray(branches)) continue;
      for (const branch of branches) if (this.expand(inBranch(branch), depth + 1, refs, into) === OPEN) return OPEN;
    }
    for (const keyword of ['then', 'else'] as const) {
      if (this.expand(inBranch(own(schema, keyword)), depth + 1, refs, into) === OPEN) return OPEN;
    }
    return undefined;
  }

  private count(): void {
    this.visited += 1;
    if (this.visited > this.options.limits.maxNodes) {
      throw new Unfollowable(`it has more than limits.maxNodes (${this.options.limits.maxNodes}) subschemas on the way`);
    }
  }

  private resolve(ref: string): unknown {
    const resolved = resolveLocalRef(this.root, ref);
    if ('unresolved' in resolved) throw new Unfollowable(resolved.unresolved);
    return resolved.schema;
  }

  /** The subschemas `step` leads to from `node`; OPEN when anything may be there; undefined when `node` has no such step. */
  private step(node: Node, step: SchemaStep, names: Set<string>, depth: number): unknown[] | typeof OPEN | typeof NEUTRAL | undefined {
    const objectKeywords = OBJECT_KEYWORDS.some((keyword) => own(node, keyword) !== undefined);
    const arrayKeywords = ARRAY_KEYWORDS.some((keyword) => own(node, keyword) !== undefined);
    const typed = own(node, 'type') !== undefined;
    if (!objectKeywords && !arrayKeywords) {
      // An untyped schema of only `$ref`s and combinators leaves it to them (they are in the set
      // beside it), so a cycle of references that never says anything opens nothing.
      if (!typed) return hasCombinators(node) ? undefined : NEUTRAL;
      if (hasCombinators(node)) return NEUTRAL;
    }
    const objects = typed ? typeIncludes(node, 'object') : objectKeywords;
    const arrays = typed ? typeIncludes(node, 'array') : arrayKeywords;
    const element = step.kind === 'any' || isArrayIndex(step.key);
    if (!objects && !(arrays && (element || this.options.arraysTransparent))) return undefined;
    const found: unknown[] = [];
    if (objects) {
      const children = this.objectStep(node, step, names);
      if (children === OPEN) return OPEN;
      for (const child of children) found.push(child);
    }
    if (arrays && element) {
      const children = elementSchemas(node, step);
      if (children === OPEN) return OPEN;
      for (const child of children) found.push(child);
    } else if (arrays && this.options.arraysTransparent) {
      // A shape sees an array as its elements repeated: the key is looked up in them.
      const elements = this.expandAll(elementsOf(node), depth + 1);
      if (elements === OPEN) return OPEN;
      const stepped = this.stepAll(elements, step, names, depth + 1);
      if (stepped === OPEN) return OPEN;
      for (const child of stepped.children) found.push(child);
    }
    return found;
  }

  private objectStep(node: Node, step: SchemaStep, names: Set<string>): unknown[] | typeof OPEN {
    const properties = own(node, 'properties');
    const patterns = own(node, 'patternProperties');
    const others = own(node, 'additionalProperties') ?? own(node, 'unevaluatedProperties');
    // `{ "type": "object" }` and nothing more: an object of any keys.
    if (others === true || (properties === undefined && patterns === undefined && others === undefined)) return OPEN;
    const found: unknown[] = [];
    if (isNode(properties)) {
      const keys = Object.keys(properties);
      for (const key of keys.length > MAX_NAMES ? keys.slice(0, MAX_NAMES) : keys) names.add(key);
      // A loop, not a spread: a spread of a huge property list overflows the stack.
      if (step.kind === 'any') for (const key of keys) found.push(properties[key]);
      else if (Object.hasOwn(properties, step.key)) found.push(properties[step.key]);
    }
    if (isNode(patterns)) {
      for (const [pattern, schema] of Object.entries(patterns)) {
        this.count();
        if (step.kind === 'any' || this.patternMatches(pattern, step.key)) found.push(schema);
      }
    }
    if (isNode(others) && (step.kind === 'any' || found.length === 0)) found.push(others);
    return found;
  }

  // A pattern RE2 cannot take (or an input too long for it) may match: the walk
  // cannot tell, and a made-up mismatch would stop a gateway over a valid schema.
  // So may one longer than limits.maxPatternLength or past the first
  // MAX_COMPILED_PATTERNS of a walk: compiling is the costly part, and a schema
  // that wants every key to exist can say so with additionalProperties anyway.
  private patternMatches(pattern: string, key: string): boolean {
    if (!this.patterns.has(pattern)) {
      let compiled: RegexLike | undefined;
      try {
        const affordable = pattern.length <= this.options.limits.maxPatternLength && this.patterns.size < MAX_COMPILED_PATTERNS;
        compiled = affordable ? compileRegex(pattern, '', this.options.limits) : undefined;
      } catch {
        compiled = undefined;
      }
      this.patterns.set(pattern, compiled);
    }
    const compiled = this.patterns.get(pattern);
    try {
      return compiled === undefined || compiled.test(key);
    } catch {
      return true;
    }
  }
}
