import type { FileContent } from '../file-content.js';
import { versionTextOf } from '../file-content.js';
import { policySetVersion } from '../policy/policy-version.js';
import { invalidBundle, pointerToken } from './bundle-format.js';
import { resolveInBundle } from './bundle-paths.js';
import { referencedNames } from './referenced-files.js';

/** A bundle's content hash, and which of its files the definitions reference. */
export interface BundleHash {
  /** `sha256:...`, the `engine.version` of an engine built from these definitions and files. */
  readonly version: string;
  /** The paths of `files` some definition reads (a referenced file, or a file under a referenced directory). */
  readonly used: ReadonlySet<string>;
}

/**
 * Hashes a policy set held in memory exactly as `createEngine` hashes it from
 * disk (`policySetVersion` over the definitions and the referenced files), so
 * a bundle's version can be checked before any of it is written out or
 * compiled. The keys mirror those the formal tier (`<index>:<shapesFile as
 * written>`) and the enforcement compiler (`<index>:/enforcement/<i>/policy`,
 * plus `:<relative path>` for each file of a directory) give the files they
 * read; a test builds engines from bundles to keep the two in step. A
 * reference that leads out of the bundle, or to no file in it, is an
 * `INVALID_BUNDLE` naming its pointer.
 */
export function hashBundle(
  policies: readonly unknown[],
  sources: readonly string[],
  files: ReadonlyMap<string, FileContent>,
  file: string,
): BundleHash {
  const hashed: Record<string, string> = {};
  const used = new Set<string>();
  policies.forEach((definition, index) => {
    const source = sources[index] ?? '';
    for (const { pointer, name } of referencedNames(definition)) {
      const at = `/policies/${index}${pointer}`;
      const path = resolveInBundle(name, source);
      if (path === undefined) {
        throw invalidBundle(
          file,
          at,
          'a relative path inside the bundle',
          `${JSON.stringify(name)} (from ${source}) leads outside the bundle`,
        );
      }
      const key = pointer === '/shapesFile' ? `${index}:${name}` : `${index}:${pointer}`;
      const content = files.get(path);
      if (content !== undefined) {
        // The formal tier reads shapes as text: a binary shapes file could only be misread.
        if (pointer === '/shapesFile' && typeof content !== 'string')
          throw invalidBundle(file, filePointer(path), 'Turtle text (UTF-8)', `${path}, the shapes file of ${at}, is not UTF-8 text`);
        hashed[key] = versionTextOf(content);
        used.add(path);
        continue;
      }
      // A directory (an engine binding's Rego bundle, a Checkov config folder): every file under it.
      const under = [...files.keys()].filter((candidate) => candidate.startsWith(`${path}/`));
      if (under.length === 0 || pointer === '/shapesFile') {
        throw invalidBundle(file, at, `${path} in /files`, `${JSON.stringify(name)} names ${path}, which the bundle does not hold`);
      }
      for (const inner of under) {
        hashed[`${key}:${inner.slice(path.length + 1)}`] = versionTextOf(files.get(inner) as FileContent);
        used.add(inner);
      }
    }
  });
  return { version: policySetVersion(policies, hashed), used };
}

/** The pointer of a path in a bundle's `files`. */
export function filePointer(path: string): string {
  return `/files/${pointerToken(path)}`;
}
