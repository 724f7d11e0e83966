import type { Engine, EvaluateOptions } from '../engine.js';
import type { Action, Decision } from '../types.js';
import { argumentFreePolicies, targetFreePolicies } from './argument-free-policies.js';
import { canonicalResourceUri } from './resource-uri.js';

/** The MCP list methods whose results the guard can filter. */
export type ListMethod = 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list';

/** The list methods, for installing the interception. */
export const LIST_METHODS: readonly ListMethod[] = ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list'];

/** True for a method whose result {@link withoutForbiddenEntries} filters. */
export function isListMethod(method: string): method is ListMethod {
  return (LIST_METHODS as readonly string[]).includes(method);
}

/** What a listed entry can never be used for: a probe that is surely denied, or no use at all. */
type Probe = { readonly action: Action; readonly sureWhen: (decision: Decision, engine: Engine) => boolean } | 'unusable' | 'unknown';

interface ListKind {
  /** The key of the result's array. */
  readonly key: string;
  /** The action that stands for every use of the entry. */
  readonly probe: (entry: Readonly<Record<string, unknown>>, context: Record<string, unknown>) => Probe;
}

// A name-addressed entry (tool, prompt) is used with arguments the list cannot know.
const deniedWhateverTheArguments = (decision: Decision, engine: Engine): boolean => deniedOutside(decision, argumentFreePolicies(engine));
// A template stands for URIs it has not expanded yet: only a policy blind to the URI can speak for all of them.
const deniedWhateverTheUri = (decision: Decision, engine: Engine): boolean => deniedOutside(decision, targetFreePolicies(engine));
// A listed resource is read with exactly the arguments of its probe.
const denied = (decision: Decision): boolean => decision.violations.some((violation) => violation.effect === 'deny');

const byName =
  (kind: 'tools/call' | 'prompts/get') =>
  (entry: Readonly<Record<string, unknown>>, context: Record<string, unknown>): Probe => {
    const name = entry['name'];
    if (typeof name !== 'string') return 'unknown';
    return { action: { tool: name, kind, arguments: {}, context }, sureWhen: deniedWhateverTheArguments };
  };

const LIST_KINDS: Readonly<Record<ListMethod, ListKind>> = {
  'tools/list': { key: 'tools', probe: byName('tools/call') },
  'prompts/list': { key: 'prompts', probe: byName('prompts/get') },
  'resources/list': {
    key: 'resources',
    probe: (entry, context) => {
      const uri = canonicalResourceUri(entry['uri']);
      // The guard refuses every read of a URI that does not parse.
      if (uri === undefined) return 'unusable';
      return { action: { tool: uri, kind: 'resources/read', arguments: { uri }, context }, sureWhen: denied };
    },
  },
  'resources/templates/list': {
    key: 'resourceTemplates',
    probe: (entry, context) => {
      // Its text as a URI ({name} escaped) is what a policy's tool patterns are matched against.
      const uri = canonicalResourceUri(entry['uriTemplate']);
      if (uri === undefined) return 'unknown';
      return { action: { tool: uri, kind: 'resources/read', arguments: { uri }, context }, sureWhen: deniedWhateverTheUri };
    },
  },
};

/**
 * A list result without the entries the caller can never be allowed to use,
 * judged with the list request's `context`:
 *
 * - `tools/list`, `prompts/list`: each entry is probed as a `tools/call` /
 *   `prompts/get` with `arguments: {}` and hidden only when an enforced `deny`
 *   policy refuses the probe at a field outside `arguments` and none of that
 *   policy's paths can reach `arguments` (see {@link argumentFreePolicies}).
 * - `resources/list`: each resource is probed as the `resources/read` of its
 *   canonical URI (the very action a read would be) and hidden when an enforced
 *   `deny` policy refuses it; a URI that does not parse is hidden, as every read
 *   of it is refused.
 * - `resources/templates/list`: each template is probed as the read of its text
 *   as a URI (`secret://vault/{name}` as `secret://vault/%7Bname%7D`) and hidden
 *   only when an enforced `deny` policy that reads neither `tool` nor `arguments`
 *   refuses it, so its tool patterns alone (and `context`) decide, e.g.
 *   `tools: ['secret://vault/**']`.
 *
 * Escalations, monitored policies and probes that throw or cannot be evaluated
 * never hide an entry. Everything else in the result (`nextCursor` included) is
 * kept, so pagination goes on as the server pages; a page may come back empty.
 * The result is returned unchanged when it has no such array or nothing is hidden.
 */
export async function withoutForbiddenEntries(
  method: ListMethod,
  result: unknown,
  engine: Engine,
  context: Record<string, unknown>,
  options: EvaluateOptions,
): Promise<unknown> {
  if (typeof result !== 'object' || result === null) return result;
  const { key, probe } = LIST_KINDS[method];
  const entries: unknown = (result as Record<string, unknown>)[key];
  if (!Array.isArray(entries)) return result;
  const hidden = await Promise.all(
    entries.map(async (entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return false;
      const use = probe(entry as Readonly<Record<string, unknown>>, context);
      if (use === 'unknown') return false;
      if (use === 'unusable') return true;
      try {
        return use.sureWhen(await engine.evaluate(use.action, options), engine);
      } catch {
        return false;
      }
    }),
  );
  if (!hidden.includes(true)) return result;
  return { ...result, [key]: entries.filter((_entry, index) => hidden[index] !== true) };
}

/** A `tools/list` result without the tools the caller can never call; see {@link withoutForbiddenEntries}. */
export function withoutForbiddenTools(
  result: unknown,
  engine: Engine,
  context: Record<string, unknown>,
  options: EvaluateOptions,
): Promise<unknown> {
  return withoutForbiddenEntries('tools/list', result, engine, context, options);
}

function deniedOutside(decision: Decision, blind: ReadonlySet<string>): boolean {
  return decision.violations.some(
    (violation) => violation.effect === 'deny' && violation.path[0] !== 'arguments' && blind.has(violation.policyId),
  );
}
