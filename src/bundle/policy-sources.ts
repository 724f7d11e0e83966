import { basename, resolve } from 'node:path';
import { TierguardError } from '../errors.js';

/** One place to read policies from: a path, or a path with the namespace its policy ids get. */
export type PolicySource =
  | string
  | {
      /** A policy file or directory. */
      readonly path: string;
      /** The prefix of this source's policy ids (`<namespace>/<id>`); default the path's base name without extension. */
      readonly namespace?: string;
    };

/**
 * What `loadPolicies` and `watchPolicies` read: one path (ids kept as written),
 * or a list of sources, each of whose policy ids is prefixed `<namespace>/`.
 */
export type PolicySources = string | readonly PolicySource[];

/** A source checked and with its namespace decided; `namespace` is absent for the single-path form. */
export interface ResolvedSource {
  /** A policy file or a directory of them, as given. */
  readonly path: string;
  /** The prefix of its policies' ids (`<namespace>/<id>`). */
  readonly namespace?: string;
}

/** The id rule of schema/policy.json: a namespace becomes the first segment of ids, so it obeys it too. */
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** Extensions dropped from a file's name to make its default namespace; a folder keeps its dots (`acme.payments`). */
const POLICY_FILE_EXTENSION = /\.(json|ya?ml)$/;

const SOURCE_KEYS: ReadonlySet<string> = new Set(['path', 'namespace']);

/**
 * Checks the sources and decides each namespace: the one given, or the base name
 * of the path without a policy-file extension (`policies/payments` and
 * `policies/payments.yaml` are both `payments`). Two sources with one namespace
 * would give colliding ids, so that is an `INVALID_OPTIONS` naming both paths.
 */
export function resolveSources(sources: PolicySources): ResolvedSource[] {
  if (typeof sources === 'string') {
    requirePath(sources, 'sources');
    return [{ path: sources }];
  }
  if (!Array.isArray(sources)) {
    throw new TierguardError('INVALID_OPTIONS', 'sources must be a path or an array of paths and { path, namespace } objects', {
      option: 'sources',
    });
  }
  if (sources.length === 0) {
    // An empty list loads nothing, and an engine with no policies allows everything: more likely a mistake.
    throw new TierguardError('INVALID_OPTIONS', 'sources must list at least one path', { option: 'sources' });
  }
  const byNamespace = new Map<string, string>();
  return (sources as readonly unknown[]).map((source, index) => {
    const option = `sources[${index}]`;
    const { path, namespace } = readSource(source, option);
    const chosen = namespace ?? basename(resolve(path)).replace(POLICY_FILE_EXTENSION, '');
    if (!NAMESPACE.test(chosen)) {
      const origin = namespace === undefined ? `the default namespace of ${path}` : `${option}.namespace`;
      throw new TierguardError(
        'INVALID_OPTIONS',
        `${origin} "${chosen}" is not a valid id prefix (letters, digits and . _ : / -, starting with a letter or digit); give a namespace`,
        { option: `${option}.namespace`, actual: chosen, file: path },
      );
    }
    const other = byNamespace.get(chosen);
    if (other !== undefined) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        `${other} and ${path} both have namespace "${chosen}"; give one of them another namespace`,
        {
          option: `${option}.namespace`,
          namespace: chosen,
          files: [other, path],
        },
      );
    }
    byNamespace.set(chosen, path);
    return { path, namespace: chosen };
  });
}

function readSource(source: unknown, option: string): { path: string; namespace?: string } {
  if (typeof source === 'string') return { path: requirePath(source, option) };
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new TierguardError('INVALID_OPTIONS', `${option} must be a path or a { path, namespace } object`, { option });
  }
  for (const key of Object.keys(source)) {
    if (!SOURCE_KEYS.has(key)) {
      throw new TierguardError('INVALID_OPTIONS', `${option}: unknown key "${key}" (known: path, namespace)`, {
        option: `${option}.${key}`,
      });
    }
  }
  const { path, namespace } = source as { path?: unknown; namespace?: unknown };
  if (namespace !== undefined && typeof namespace !== 'string') {
    throw new TierguardError('INVALID_OPTIONS', `${option}.namespace must be a string`, {
      option: `${option}.namespace`,
      actual: namespace,
    });
  }
  return { path: requirePath(path, `${option}.path`), ...(namespace === undefined ? {} : { namespace }) };
}

function requirePath(path: unknown, option: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TierguardError('INVALID_OPTIONS', `${option} must be a non-empty path`, { option, actual: path });
  }
  return path;
}
