import { isAbsolute, relative, resolve } from 'node:path';
import type { LoadedPolicies } from '../bundle/load-policies.js';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { PolicyDefinition } from '../types.js';
import type { ConfigSource } from './config-types.js';
import type { DroppedPolicy } from './isolate-invalid.js';
import { isolateInvalid } from './isolate-invalid.js';
import type { PrecedenceConflict, Replacement, SourcedDefinition } from './merge-sources.js';
import { mergeSources } from './merge-sources.js';

/** The policies a config serves, and what the merge and the isolation reported. */
export interface PreparedPolicies {
  /** The served definitions with their files, as `createEngine` takes them. */
  readonly loaded: LoadedPolicies;
  readonly conflicts: readonly PrecedenceConflict[];
  readonly replacements: readonly Replacement[];
  /** Invalid soft or advisory policies left out (never under `strict`). */
  readonly dropped: readonly DroppedPolicy[];
}

/**
 * From the policies of every source (ids already namespaced) to the set
 * served: invalid soft policies dropped (under `strict` any invalid policy fails; see `isolateInvalid`),
 * then the sources merged by precedence (see `mergeSources`). Under `strict` a
 * conflict fails with `INVALID_POLICY` listing every conflict; otherwise the
 * conflicts are returned, each lower definition in one left out.
 */
export function preparePolicies(
  loaded: LoadedPolicies,
  sources: readonly ConfigSource[],
  limits: Limits,
  strict: boolean,
): PreparedPolicies {
  const { kept, dropped } = isolateInvalid(loaded.definitions, loaded.sources, limits, strict);
  const entries: SourcedDefinition[] = kept.map((index) => {
    const file = loaded.sources[index] ?? '';
    const source = sourceOf(file, sources);
    return { definition: loaded.definitions[index], localId: localIdOf(loaded.definitions[index], source), file, source };
  });
  const merged = mergeSources(entries);
  if (strict && merged.conflicts.length > 0) {
    throw new TierguardError(
      'INVALID_POLICY',
      `${merged.conflicts.length} precedence conflict${merged.conflicts.length === 1 ? '' : 's'} (strict):\n${merged.conflicts.map((conflict) => conflict.message).join('\n')}`,
      {
        conflicts: merged.conflicts,
        files: [...new Set(merged.conflicts.flatMap((conflict) => [conflict.higher.file, conflict.lower.file]))],
      },
    );
  }
  const served = merged.served.map((position) => kept[position] ?? -1);
  return {
    loaded: {
      definitions: served.map((index) => loaded.definitions[index] as PolicyDefinition),
      sources: served.map((index) => loaded.sources[index] ?? ''),
      files: loaded.files,
    },
    conflicts: merged.conflicts,
    replacements: merged.replacements,
    dropped,
  };
}

/** The source a file was read from: the one whose path is the file or holds it (config sources never overlap). */
function sourceOf(file: string, sources: readonly ConfigSource[]): ConfigSource {
  const absolute = resolve(file);
  const found = sources.find((source) => {
    const path = relative(source.path, absolute);
    return path === '' || (!path.startsWith('..') && !isAbsolute(path));
  });
  // Every file is listed under one of the sources; a miss would be a bug, and is never merged with another rule.
  return found ?? { name: '?', path: file, precedence: Number.NEGATIVE_INFINITY, namespace: '' };
}

function localIdOf(definition: unknown, source: ConfigSource): string | undefined {
  const id = typeof definition === 'object' && definition !== null ? (definition as { id?: unknown }).id : undefined;
  const prefix = `${source.namespace}/`;
  return typeof id === 'string' && source.namespace !== '' && id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}
