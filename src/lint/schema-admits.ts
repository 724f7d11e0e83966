import { jsonEquals, jsonKind, type JsonKind } from '../json-values.js';
import type { Limits } from '../limits.js';
import { isNode, own } from '../mcp/gateway/schema-keywords.js';
import { resolveLocalRef } from '../mcp/gateway/schema-walk.js';

/** A JSON Schema type: a JSON kind, or `integer` (a number with no fractional part). */
export type SchemaKind = JsonKind | 'integer';

/** What a schema lets a value be: its kinds, and, when it lists them (`enum`, `const`), the only values. */
export interface Admitted {
  readonly kinds: ReadonlySet<SchemaKind>;
  readonly values?: readonly unknown[];
}

const EVERY_KIND: ReadonlySet<SchemaKind> = new Set<SchemaKind>(['string', 'number', 'boolean', 'null', 'array', 'object']);
const TYPES: ReadonlySet<string> = new Set([...EVERY_KIND, 'integer']);

/** Stops an evaluation the limits do not let finish: the schema is then taken to admit anything. */
class TooLarge extends Error {}

/**
 * What a value may be when it must satisfy one of `schemas` (the subschemas a
 * schema walk reached for a path), read from `type`, `enum` and `const`, with
 * `allOf` narrowing and `anyOf`/`oneOf` widening within each and local `$ref`s
 * followed. Everything else (`not`, `if`, formats, bounds) is taken to admit
 * anything, so what this rules out the schema rules out too. `undefined` when
 * nothing is ruled out, or when the schemas are deeper than `limits.maxDepth`,
 * larger than `limits.maxNodes` or refer where a walk cannot follow.
 */
export function admittedBy(
  schemas: readonly unknown[],
  root: unknown,
  limits: Pick<Limits, 'maxDepth' | 'maxNodes'>,
): Admitted | undefined {
  if (schemas.length === 0) return undefined;
  const budget = { nodes: 0 };
  try {
    let union: Admitted = { kinds: new Set() };
    for (const schema of schemas) union = widen(union, admitted(schema, root, limits, budget, 0, new Set()));
    return union.kinds.size === EVERY_KIND.size && union.values === undefined && union.kinds.has('number') ? undefined : union;
  } catch (error) {
    if (error instanceof TooLarge) return undefined;
    throw error;
  }
}

/** True when `value` is one `admitted` lets through. */
export function admits(admitted: Admitted, value: unknown): boolean {
  const kind = jsonKind(value);
  if (kind === undefined) return false;
  const typed = admitted.kinds.has(kind) || (kind === 'number' && admitted.kinds.has('integer') && Number.isInteger(value));
  return typed && (admitted.values === undefined || admitted.values.some((allowed) => jsonEquals(allowed, value)));
}

function admitted(
  schema: unknown,
  root: unknown,
  limits: Pick<Limits, 'maxDepth' | 'maxNodes'>,
  budget: { nodes: number },
  depth: number,
  refs: ReadonlySet<string>,
): Admitted {
  budget.nodes += 1;
  if (budget.nodes > limits.maxNodes || depth > limits.maxDepth) throw new TooLarge();
  if (schema === false) return { kinds: new Set() };
  if (!isNode(schema)) return { kinds: EVERY_KIND };
  let result: Admitted = { kinds: typesOf(own(schema, 'type')) };
  const listed = own(schema, 'enum');
  if (Array.isArray(listed)) result = narrow(result, valuesOnly(listed));
  if (Object.hasOwn(schema, 'const')) result = narrow(result, valuesOnly([own(schema, 'const')]));
  const inner = (branch: unknown, seen: ReadonlySet<string> = refs): Admitted => admitted(branch, root, limits, budget, depth + 1, seen);
  const ref = own(schema, '$ref');
  if (typeof ref === 'string' && !refs.has(ref)) {
    const resolved = resolveLocalRef(root, ref);
    if ('unresolved' in resolved) throw new TooLarge();
    result = narrow(result, inner(resolved.schema, new Set(refs).add(ref)));
  }
  const all = own(schema, 'allOf');
  if (Array.isArray(all)) for (const branch of all) result = narrow(result, inner(branch));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = own(schema, keyword);
    if (!Array.isArray(branches)) continue;
    let either: Admitted = { kinds: new Set() };
    for (const branch of branches) either = widen(either, inner(branch));
    result = narrow(result, either);
  }
  return result;
}

function typesOf(declared: unknown): ReadonlySet<SchemaKind> {
  const names = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : undefined;
  if (names === undefined) return EVERY_KIND;
  const kinds = names.filter((name): name is SchemaKind => typeof name === 'string' && TYPES.has(name));
  // A type list naming nothing JSON Schema knows says nothing this reading can use.
  return kinds.length === 0 ? EVERY_KIND : new Set(kinds);
}

function valuesOnly(values: readonly unknown[]): Admitted {
  const kinds = new Set<SchemaKind>();
  for (const value of values) {
    const kind = jsonKind(value);
    if (kind !== undefined) kinds.add(kind);
  }
  return { kinds, values };
}

/** What both let through. */
function narrow(left: Admitted, right: Admitted): Admitted {
  const kinds = new Set<SchemaKind>();
  for (const kind of left.kinds) if (right.kinds.has(kind)) kinds.add(kind);
  // An integer is a number: `number` with `integer` is `integer`.
  if ((left.kinds.has('number') && right.kinds.has('integer')) || (left.kinds.has('integer') && right.kinds.has('number')))
    kinds.add('integer');
  const values =
    left.values === undefined
      ? right.values
      : right.values === undefined
        ? left.values
        : left.values.filter((value) => right.values?.some((other) => jsonEquals(other, value)));
  return values === undefined ? { kinds } : { kinds, values: values.filter((value) => admits({ kinds }, value)) };
}

/** What either lets through. */
export function widen(left: Admitted, right: Admitted): Admitted {
  const kinds = new Set([...left.kinds, ...right.kinds]);
  // A list of values is kept only when both sides have one (and nothing else of a kind they share).
  if (left.values === undefined && left.kinds.size > 0) return { kinds };
  if (right.values === undefined && right.kinds.size > 0) return { kinds };
  return { kinds, values: [...(left.values ?? []), ...(right.values ?? [])] };
}
