import { jsonEquals, type JsonKind } from '../json-values.js';
import type { Limits } from '../limits.js';
import type { ToolDescription } from '../mcp/gateway/check-tool-schemas.js';
import { walkSchema } from '../mcp/gateway/schema-walk.js';
import { renderValue } from '../render-value.js';
import { kindsOf } from './rewritten-fields.js';
import type { Atom } from './same-field.js';
import { admits, admittedBy, widen, type Admitted } from './schema-admits.js';
import { toolSelector } from './tool-selection.js';

/** What a schema walk and its reading say of one tool's argument; kept per tool and field, since policies read the same fields. */
export type AdmittedCache = Map<ToolDescription, Map<string, Admitted | undefined>>;

/**
 * The facts that hold of a field whatever a predicate says, for the actions
 * policies with these `tools` judge: `tool` is a name every list selects, and
 * an argument (`arguments.x`) is what the `inputSchema` of every listed tool the
 * lists select lets it be (a value of its `type`, one of its `enum`), read as
 * the gateway reads schemas (see `walkSchema`). No fact is claimed for a field
 * some such tool's schema leaves open, that cannot be followed, that a rewrite
 * writes inside or around (`written` gives `undefined`), or when no listed tool
 * is selected; a constant a rewrite writes at the field (from `written`) is let
 * through beside what the schemas admit.
 */
export function fieldFacts(
  toolLists: readonly (readonly string[] | undefined)[],
  tools: readonly ToolDescription[] | undefined,
  limits: Limits,
  cache: AdmittedCache,
  written: (segments: readonly string[]) => readonly unknown[] | undefined = () => [],
): (field: string, segments: readonly string[]) => readonly Atom[] {
  const lists = toolLists.filter((list): list is readonly string[] => list !== undefined);
  const selectors = lists.map((list) => toolSelector(list, limits));
  const selected = tools?.filter((tool) => selectors.every((selects) => selects(tool.name)));
  return (_field, segments) => {
    if (segments.length === 1 && segments[0] === 'tool') {
      return lists.map((list, index) => ({
        label: `the policy's tools (${list.join(', ')})`,
        negated: false,
        needsValue: false,
        kinds: new Set<JsonKind>(['string']),
        test: (value) => typeof value === 'string' && (selectors[index]?.(value) ?? true),
      }));
    }
    if (segments[0] !== 'arguments' || selected === undefined || selected.length === 0) return [];
    const constants = written(segments);
    if (constants === undefined) return [];
    let union: Admitted | undefined;
    for (const tool of selected) {
      const admitted = admittedAt(tool, segments.slice(1), limits, cache);
      if (admitted === undefined) return [];
      union = union === undefined ? admitted : widen(union, admitted);
    }
    if (union === undefined) return [];
    const schemas = union;
    const whose =
      selected.length === 1
        ? `tool ${JSON.stringify(selected[0]?.name)}'s inputSchema`
        : `the inputSchemas of its ${selected.length} tools`;
    // A value a default or a mask writes there is the policy's own, beside what the tool sends.
    const rewrites = constants.length === 0 ? '' : `, or ${constants.map((value) => renderValue(value)).join(', ')} from a rewrite`;
    const kinds = new Set([...schemas.kinds].map((kind): JsonKind => (kind === 'integer' ? 'number' : kind)));
    for (const kind of kindsOf(constants)) kinds.add(kind);
    return [
      {
        label: `${whose} (${describeAdmitted(schemas)}${rewrites})`,
        negated: false,
        needsValue: false,
        kinds,
        test: (value) => admits(schemas, value) || constants.some((constant) => jsonEquals(constant, value)),
      },
    ];
  };
}

function admittedAt(tool: ToolDescription, keys: readonly string[], limits: Limits, cache: AdmittedCache): Admitted | undefined {
  const key = keys.join('\u0000');
  const known = cache.get(tool) ?? new Map<string, Admitted | undefined>();
  cache.set(tool, known);
  if (known.has(key)) return known.get(key);
  let admitted: Admitted | undefined;
  try {
    const walk = walkSchema(
      tool.inputSchema,
      keys.map((name) => ({ kind: 'key', key: name })),
      { arraysTransparent: false, limits },
    );
    admitted = walk.found && walk.schemas !== undefined ? admittedBy(walk.schemas, tool.inputSchema, limits) : undefined;
  } catch {
    // A getter or proxy in a schema built in code: nothing can be said of the field.
    admitted = undefined;
  }
  known.set(key, admitted);
  return admitted;
}

function describeAdmitted(admitted: Admitted): string {
  if (admitted.values !== undefined) return `one of ${admitted.values.map((value) => renderValue(value)).join(', ')}`;
  if (admitted.kinds.size === 0) return 'no value at all';
  return `type ${[...admitted.kinds].join(' or ')}`;
}
