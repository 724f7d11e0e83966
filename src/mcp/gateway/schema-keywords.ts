/** One step of a path through a schema: a key (an array index is a key of digits), or `*` for every element or value. */
export type SchemaStep = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'any' };

/** A schema object, read only through {@link own}. */
export type SchemaNode = Readonly<Record<string, unknown>>;

/** What a walk returns for a subschema that lets any key or element exist below it. */
export const OPEN = Symbol('open');

/** A schema that says nothing, standing for `true` where it is one schema among others for a value. */
const EMPTY: SchemaNode = Object.freeze({});

// `true` as a schema of its own lets anything be there; as a branch (`allOf: [true]`) or a
// reference target beside other keywords, it adds no constraint and no keys: it is `{}`.
export function inBranch(schema: unknown): unknown {
  return schema === true ? EMPTY : schema;
}

/** The schemas of the elements an index step (or `*`) reaches: `prefixItems` (or draft-07's array `items`), then `items` (or `additionalItems`); OPEN when the rest is unconstrained. */
export function elementSchemas(node: SchemaNode, step: SchemaStep): unknown[] | typeof OPEN {
  const prefix = own(node, 'prefixItems') ?? (Array.isArray(own(node, 'items')) ? own(node, 'items') : undefined);
  const rest = Array.isArray(own(node, 'items')) ? own(node, 'additionalItems') : own(node, 'items');
  const tuple = Array.isArray(prefix) ? (prefix as unknown[]) : [];
  if (step.kind === 'any') {
    if (rest === undefined || rest === true) return OPEN;
    return [...tuple, rest];
  }
  const index = Number(step.key);
  if (index < tuple.length) return [tuple[index]];
  if (rest === undefined || rest === true) return OPEN;
  return [rest];
}

/** Every schema an element of the array may have to satisfy, for a step that sees through arrays. */
export function elementsOf(node: SchemaNode): unknown[] {
  const items = own(node, 'items');
  const prefix = own(node, 'prefixItems');
  const elements: unknown[] = [];
  for (const schema of Array.isArray(prefix) ? (prefix as unknown[]) : []) elements.push(schema);
  for (const schema of Array.isArray(items) ? (items as unknown[]) : [items]) elements.push(schema);
  elements.push(own(node, 'additionalItems'));
  return elements.filter((schema) => schema !== undefined);
}

/** The keywords that say which keys an object has. */
export const OBJECT_KEYWORDS = ['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties'] as const;
/** The keywords that say which elements an array has. */
export const ARRAY_KEYWORDS = ['items', 'prefixItems', 'additionalItems'] as const;

/** True when the schema's `type` is `type` or a list holding it. */
export function typeIncludes(node: SchemaNode, type: string): boolean {
  const declared = own(node, 'type');
  return declared === type || (Array.isArray(declared) && declared.includes(type));
}

/** True when the schema leaves part of what it says to other schemas: `$ref`, `allOf`, `anyOf`, `oneOf`, `then`, `else`. */
export function hasCombinators(node: SchemaNode): boolean {
  return ['$ref', 'allOf', 'anyOf', 'oneOf', 'then', 'else'].some((keyword) => own(node, keyword) !== undefined);
}

/** True for a schema object (not `true`/`false`, an array or a scalar). */
export function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A keyword's value, read as own data only: a schema's `__proto__` or `constructor` key is a name, never the prototype. */
export function own(node: SchemaNode, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}
