import type { PolicyBundle } from './bundle-format.js';
import { BUNDLE_FORMAT, BUNDLE_KEY, invalidBundle } from './bundle-format.js';
import { filePointer } from './bundle-version.js';

/**
 * A bundle as the bytes `tierguard bundle` writes: the same bundle gives the
 * same text on every machine. The top-level keys come in a fixed order (format
 * first, so a reader sees what it holds), definitions in load order with their
 * keys sorted, files sorted by path; two-space indentation and a final newline,
 * so a bundle diffs readably in a repository. No timestamp, host or absolute
 * path is written. JSON holds text only: a file that is not UTF-8 (an OPA
 * bundle a binding names) is an `INVALID_BUNDLE` pointing at the archive format.
 */
export function serialiseBundle(bundle: PolicyBundle): string {
  const files = [...bundle.files].sort(([left], [right]) => compareCodeUnits(left, right));
  const texts = files.map(([path, content]): [string, string] => {
    if (typeof content !== 'string') {
      throw invalidBundle(
        'the bundle being built',
        filePointer(path),
        'UTF-8 text',
        `${path} is binary, which a JSON bundle cannot carry: write a .tar.gz bundle (--format tar.gz)`,
      );
    }
    return [path, content];
  });
  const document = {
    [BUNDLE_KEY]: BUNDLE_FORMAT,
    version: bundle.version,
    policies: bundle.policies.map(sortedKeys),
    sources: bundle.sources,
    // fromEntries defines own properties: a file named __proto__ stays a file.
    files: Object.fromEntries(texts),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A deep copy with every object's keys in code-unit order. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value).sort(compareCodeUnits);
  return Object.fromEntries(keys.map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

/** Code-unit order, not locale order: the same on every machine. */
export function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
