import { isIP } from 'node:net';
import { TierguardError } from '../errors.js';
import type { PolicySources, ResolvedSource } from './policy-sources.js';
import { resolveSources } from './policy-sources.js';

/**
 * Where a policy set is read from: policy files and folders (and a JSON bundle
 * file among them, as always), a bundle archive on disk, or a bundle at an
 * HTTP(S) URL. An archive and a URL are always a whole set, read as bytes.
 */
export type PolicyLocation =
  | { readonly kind: 'files'; readonly sources: readonly ResolvedSource[]; readonly label: string }
  | { readonly kind: 'archive'; readonly path: string; readonly label: string }
  | { readonly kind: 'remote'; readonly url: URL; readonly label: string };

const ARCHIVE_NAME = /\.(tar\.gz|tgz)$/i;
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** True for a path named as a bundle archive (`.tar.gz`, `.tgz`). */
export function isArchiveName(path: string): boolean {
  return ARCHIVE_NAME.test(path);
}

/**
 * Where `sources` point. A single string that is a URL (`scheme://…`) must be
 * an `https:` URL, or `http:` to a loopback host (`localhost`, `127.0.0.0/8`,
 * `::1`), and is a bundle to fetch; a single path ending in `.tar.gz` or
 * `.tgz` is a bundle archive; anything else is policy files. A URL or an
 * archive inside a list of sources is refused: a bundle is a whole policy set,
 * loaded on its own, never merged.
 */
export function locatePolicies(sources: PolicySources): PolicyLocation {
  if (typeof sources === 'string' && URL_LIKE.test(sources)) {
    const url = checkBundleUrl(sources, 'sources');
    return { kind: 'remote', url, label: describeUrl(url) };
  }
  const resolved = resolveSources(sources);
  if (typeof sources === 'string' && isArchiveName(sources)) return { kind: 'archive', path: sources, label: sources };
  for (const [index, source] of resolved.entries()) {
    if (URL_LIKE.test(source.path)) {
      throw new TierguardError('INVALID_OPTIONS', `sources[${index}] is a URL: a bundle URL is a whole policy set, given alone`, {
        option: `sources[${index}]`,
      });
    }
    if (isArchiveName(source.path)) {
      throw new TierguardError(
        'INVALID_BUNDLE',
        `${source.path} is a bundle archive: a bundle is a whole policy set, loaded on its own (pass its path alone), never with other policy files`,
        { file: source.path },
      );
    }
  }
  return { kind: 'files', sources: resolved, label: resolved.map((source) => source.path).join(', ') };
}

/**
 * Parses a bundle URL, refusing what would fetch policies unprotected: a
 * scheme other than `https:`, except `http:` to a loopback host (a sidecar, a
 * test server), and a URL with credentials in it (they would be logged with
 * every message; send them as a header instead). `INVALID_OPTIONS` naming `option`.
 */
export function checkBundleUrl(text: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TierguardError('INVALID_OPTIONS', `${option}: ${JSON.stringify(text)} is not a valid URL`, { option });
  }
  if (url.username !== '' || url.password !== '') {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `${option}: ${describeUrl(url)} carries credentials in the URL, where every log line would show them; send them as a header`,
      { option },
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url;
    throw new TierguardError(
      'INVALID_OPTIONS',
      `${option}: ${describeUrl(url)} is plain http to ${url.hostname}, which anyone on the path could alter or read: use https (http is accepted for loopback hosts only)`,
      { option },
    );
  }
  throw new TierguardError(
    'INVALID_OPTIONS',
    `${option}: ${url.protocol} URLs are not fetched: use https:// (or http:// to a loopback host)`,
    {
      option,
    },
  );
}

/** A URL as messages, `/healthz` and metrics show it: scheme, host and path, never a query (a pre-signed URL's signature) or fragment. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** True for `localhost` and the loopback addresses, as a URL's hostname writes them (`[::1]`). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** True for an IPv4 address in 127.0.0.0/8, `::1`, or an IPv4-mapped loopback (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string): boolean {
  const lower = address.toLowerCase();
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) !== 6) return false;
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
}
