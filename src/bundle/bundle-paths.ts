import { dirname, isAbsolute, relative, sep } from 'node:path';
import { posix } from 'node:path';

/**
 * Why a path inside a bundle is refused, or `undefined` when it is a plain
 * relative path: `/`-separated segments, none empty, `.` or `..`, no
 * backslash, drive letter, NUL or other control character. A bundle's paths
 * become files under a private directory, so a path that could lead out of it
 * (or name something else on another system) is refused, never normalised.
 */
export function unsafeBundlePath(path: string): string | undefined {
  if (path.length === 0) return 'an empty path';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'a control character (NUL included)';
  if (path.includes('\\')) return 'a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'an absolute path';
  for (const segment of path.split('/')) {
    if (segment === '') return 'an empty segment';
    if (segment === '.' || segment === '..') return `a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Where a file a definition names lies inside the bundle: `name` resolved
 * against the directory of the definition's source, as the engine resolves it,
 * or `undefined` when it leads out of the bundle (an absolute name, or more
 * `..` than there are folders above the source).
 */
export function resolveInBundle(name: string, source: string): string | undefined {
  if (posix.isAbsolute(name) || isAbsolute(name) || name.includes('\0')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(source), name));
  if (joined === '..' || joined.startsWith('../') || joined === '.' || unsafeBundlePath(joined) !== undefined) return undefined;
  return joined;
}

/** The deepest directory that holds every one of `directories` (absolute paths). */
export function commonDirectory(directories: readonly string[]): string {
  let common = directories[0] ?? '';
  for (const directory of directories.slice(1)) {
    while (!isWithin(common, directory)) {
      const parent = dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

/** `path` relative to `root` with `/` separators, as a bundle stores it. */
export function bundlePathOf(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function isWithin(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
}
