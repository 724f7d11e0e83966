import { strictUtf8 } from '../file-content.js';
import { invalidBundle } from './bundle-format.js';
import { unsafeBundlePath } from './bundle-paths.js';
import { TAR_BLOCK, tarChecksum } from './tar-write.js';

/** Bounds on reading an archive that came from anywhere. */
export interface TarBounds {
  /** Most entries, folders included. */
  readonly maxEntries: number;
  /** Largest file entry, in bytes (`limits.maxFileBytes`). */
  readonly maxEntryBytes: number;
}

const ENTRY_KINDS: Readonly<Record<string, string>> = Object.freeze({
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  x: 'a PAX extended header',
  g: 'a PAX global header',
  L: 'a GNU long name',
  K: 'a GNU long link name',
});

/**
 * The files of an uncompressed tar archive, path to bytes, read as hostile
 * input: every header's checksum must match; only regular files and folders
 * are accepted (a link, device, FIFO or extension header is refused, naming
 * it); every path must be a plain relative path (no leading `/`, no `..`, `.`
 * or empty segment, no backslash or control character: `unsafeBundlePath`),
 * valid UTF-8, and appear once, never both as a file and as a folder of
 * another; a file may be at most `maxEntryBytes`, the archive at most
 * `maxEntries` entries. An archive that ends before its end-of-archive block,
 * or a file whose body runs past the end, is truncated; bytes after the end
 * block must be zero. Any fault is an `INVALID_BUNDLE` naming `label` and the
 * entry; nothing is returned in part.
 */
export function readTar(tar: Uint8Array, bounds: TarBounds, label: string): Map<string, Buffer> {
  const bytes = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const files = new Map<string, Buffer>();
  const folders = new Set<string>();
  const fail = (expected: string, reason: string): never => {
    throw invalidBundle(label, '', expected, reason);
  };
  let offset = 0;
  for (let entries = 0; ; entries += 1) {
    if (offset + TAR_BLOCK > bytes.length) fail('a whole tar archive', 'the archive is truncated: it ends before its end-of-archive block');
    const block = bytes.subarray(offset, offset + TAR_BLOCK);
    if (isZero(block)) {
      if (!isZero(bytes.subarray(offset))) fail('nothing after the end-of-archive block', 'the archive has data after its end');
      break;
    }
    if (entries >= bounds.maxEntries)
      fail(`at most ${bounds.maxEntries} entries`, `the archive holds more than ${bounds.maxEntries} entries`);
    const at = `the entry at byte ${offset}`;
    if (octal(block.subarray(148, 156)) !== tarChecksum(block))
      fail('a tar header with its checksum', `${at} has a damaged header (checksum mismatch)`);
    const magic = block.subarray(257, 265).toString('latin1');
    if (magic !== 'ustar\u000000' && magic !== 'ustar  \u0000') fail('a ustar header', `${at} is not a ustar header`);
    const path = entryPath(block, at, fail);
    const type = String.fromCharCode(block[156] ?? 0);
    const size = octal(block.subarray(124, 136));
    if (size === undefined) fail('a size in octal digits', `${path} has a malformed size`);
    const isFolder = type === '5';
    if (!isFolder && type !== '0' && type !== '\0') {
      fail('only regular files and folders', `${path} is ${ENTRY_KINDS[type] ?? `an entry of type ${JSON.stringify(type)}`}`);
    }
    const name = isFolder && path.endsWith('/') ? path.slice(0, -1) : path;
    const unsafe = unsafeBundlePath(name);
    if (unsafe !== undefined) fail('a relative path inside the bundle', `${JSON.stringify(path)} has ${unsafe}`);
    if (files.has(name) || folders.has(name)) fail('each path once', `${name} appears twice`);
    const length = size as number;
    if (isFolder) {
      if (length !== 0) fail('a folder with no content', `the folder ${name} has a size`);
      folders.add(name);
    } else {
      if (length > bounds.maxEntryBytes)
        fail(`files of at most ${bounds.maxEntryBytes} bytes (limits.maxFileBytes)`, `${name} holds ${length} bytes`);
      const start = offset + TAR_BLOCK;
      if (start + length > bytes.length) fail('a whole tar archive', `the archive is truncated: ${name} runs past its end`);
      files.set(name, Buffer.from(bytes.subarray(start, start + length)));
    }
    offset += TAR_BLOCK + Math.ceil(length / TAR_BLOCK) * TAR_BLOCK;
  }
  for (const path of files.keys()) {
    const segments = path.split('/');
    for (let end = 1; end < segments.length; end += 1) {
      const folder = segments.slice(0, end).join('/');
      if (files.has(folder)) fail('a file or a folder, not both', `${folder} is a file and the folder of ${path}`);
    }
  }
  return files;
}

/** The entry's path: the ustar prefix and name, each NUL-terminated and UTF-8. */
function entryPath(block: Buffer, at: string, fail: (expected: string, reason: string) => never): string {
  const name = field(block.subarray(0, 100));
  const prefix = field(block.subarray(345, 500));
  if (name === undefined || prefix === undefined) return fail('UTF-8 paths', `${at} has a path that is not UTF-8`);
  return prefix === '' ? name : `${prefix}/${name}`;
}

function field(bytes: Buffer): string | undefined {
  const end = bytes.indexOf(0);
  return strictUtf8(bytes.subarray(0, end === -1 ? bytes.length : end));
}

/** A numeric field: octal digits, optionally space-padded and NUL- or space-terminated; `undefined` for anything else (base-256 included). */
function octal(bytes: Buffer): number | undefined {
  const digits = bytes
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  return /^[0-7]{1,12}$/.test(digits) ? Number.parseInt(digits, 8) : undefined;
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}
