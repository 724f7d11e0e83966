import { TierguardError, isTierguardError } from '../errors.js';

// Where each loaded definition came from, kept beside the object rather than on
// it: no key is added that the schema, the content hash or a listing would see,
// frozen definitions (a bundle's) can be marked too, and an entry goes when its
// definition does.
const SOURCES = new WeakMap<object, string>();

/**
 * Remembers the file a definition was read from, as messages should name it
 * (`policies/payments.json`, or `bundle.json (payments/cap.json)` for a bundle's
 * policy). `loadPolicies` marks every definition it returns; `createEngine`
 * then names the file of each invalid one, however the caller passes them on.
 */
export function recordDefinitionSource(definition: unknown, source: string): void {
  if (typeof definition === 'object' && definition !== null) SOURCES.set(definition, source);
}

/** The file {@link recordDefinitionSource} recorded for a definition, if any. */
export function definitionSource(definition: unknown): string | undefined {
  return typeof definition === 'object' && definition !== null ? SOURCES.get(definition) : undefined;
}

/**
 * `error` with the files of its invalid policies named, when it is an
 * `INVALID_POLICY` and any is known: the message starts `<file>, <file>: ` and
 * `details.files` lists them, in policy order. A definition's file is the one
 * `loadPolicies` recorded, else `sources[policyIndex]` (the `sources` option of
 * `createEngine`). Anything else, or an error with no file to name, is returned as it is.
 */
export function withDefinitionSources(error: unknown, definitions: readonly unknown[], sources: readonly unknown[] | undefined): unknown {
  if (!isTierguardError(error, 'INVALID_POLICY')) return error;
  const details = error.details.errors ?? [error.details];
  const files = [
    ...new Set(
      details
        .map((detail) => (typeof detail.policyIndex === 'number' ? sourceAt(definitions, sources, detail.policyIndex) : undefined))
        .filter((file): file is string => file !== undefined),
    ),
  ];
  if (files.length === 0) return error;
  return new TierguardError('INVALID_POLICY', `${files.join(', ')}: ${error.message}`, { ...error.details, files }, { cause: error });
}

function sourceAt(definitions: readonly unknown[], sources: readonly unknown[] | undefined, index: number): string | undefined {
  try {
    // The caller's array may be hostile (a Proxy, a getter): naming a file must never replace the error being named.
    const definition: unknown = definitions[index];
    const recorded = typeof definition === 'object' && definition !== null ? SOURCES.get(definition) : undefined;
    const given: unknown = sources?.[index];
    return recorded ?? (typeof given === 'string' && given !== '' ? given : undefined);
  } catch {
    return undefined;
  }
}
