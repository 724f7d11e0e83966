import { gunzipSync } from 'node:zlib';

/** Bounds on reading a bundle, so a hostile archive cannot fill memory. */
export interface BundleBounds {
  /** Most bytes the archive may inflate to. */
  readonly maxBytes: number;
  /** Most entries read. */
  readonly maxEntries: number;
}

const BLOCK = 512;

/**
 * The files of an OPA bundle (`.tar.gz`) whose names are in `wanted`, by name
 * with any leading `/` or `./` removed (`opa build` writes `/policy.wasm`).
 * A small reader of the ustar format Go's archive/tar writes, with its PAX and
 * GNU long-name records, so no dependency is needed for the two files a Wasm
 * policy takes. Throws an Error saying why for an archive that is not gzip, is
 * truncated, or passes the bounds; the caller turns that into a verdict.
 */
export function readBundleFiles(archive: Uint8Array, wanted: ReadonlySet<string>, bounds: BundleBounds): Map<string, Buffer> {
  let tar: Buffer;
  try {
    // maxOutputLength makes zlib stop (with a RangeError) instead of inflating a bomb.
    tar = gunzipSync(archive, { maxOutputLength: bounds.maxBytes });
  } catch (thrown) {
    throw new Error(
      thrown instanceof RangeError ? `the bundle inflates to more than ${bounds.maxBytes} bytes` : 'the bundle is not a gzip archive',
    );
  }
  const found = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  for (let entries = 0; offset + BLOCK <= tar.length; entries += 1) {
    if (entries >= bounds.maxEntries) throw new Error(`the bundle holds more than ${bounds.maxEntries} entries`);
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const start = offset + BLOCK;
    const end = start + size;
    if (end > tar.length) throw new Error('the bundle is truncated');
    const body = tar.subarray(start, end);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x') {
      longName = paxPath(body.toString('utf8')) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(body);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header.subarray(345, 500));
    const name = normalize(
      longName ??
        (prefix.length > 0 && header.subarray(257, 262).toString('latin1') === 'ustar'
          ? `${prefix}/${text(header.subarray(0, 100))}`
          : text(header.subarray(0, 100))),
    );
    longName = undefined;
    if ((type === '0' || type === '\0') && wanted.has(name)) found.set(name, Buffer.from(body));
  }
  return found;
}

/** A NUL-terminated field as text. */
function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** A tar size field: octal digits, NUL or space terminated. */
function octal(field: Buffer): number {
  const digits = text(field).trim();
  if (!/^[0-7]+$/.test(digits)) throw new Error('the bundle has a malformed tar header');
  return Number.parseInt(digits, 8);
}

/** `path` from PAX records (`<length> path=<value>\n` ...). */
function paxPath(records: string): string | undefined {
  for (const record of records.split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

function normalize(name: string): string {
  return name.replace(/^(\.?\/)+/, '');
}
