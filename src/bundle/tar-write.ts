import { invalidBundle } from './bundle-format.js';

/** One file to put in an archive: its path (relative, `/`-separated) and its bytes. */
export interface TarEntry {
  readonly path: string;
  readonly content: Uint8Array;
}

/** The size of a tar block: headers take one, file bodies are padded to a whole number. */
export const TAR_BLOCK = 512;

const NAME_BYTES = 100;
const PREFIX_BYTES = 155;

/**
 * A POSIX ustar archive of `entries`, in the order given, with nothing that
 * varies between machines or runs: every file mode 0644, owner and group 0 and
 * unnamed, modification time 0, no folder entries (a reader makes the folders
 * a path needs), and two zero blocks at the end. The same entries give the same
 * bytes. A path longer than ustar can hold (a 155-byte folder prefix and a
 * 100-byte name) is an `INVALID_BUNDLE`: no PAX or GNU extension is written, so
 * the strict reader (`readTar`) reads back exactly what was written.
 */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { path, content } of entries) {
    blocks.push(header(path, content.length));
    blocks.push(Buffer.from(content));
    const padding = (TAR_BLOCK - (content.length % TAR_BLOCK)) % TAR_BLOCK;
    if (padding > 0) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(2 * TAR_BLOCK));
  return Buffer.concat(blocks);
}

function header(path: string, size: number): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  const { prefix, name } = splitPath(path);
  block.write(name, 0, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write('00000000000\0', 136, 'latin1');
  // The checksum is summed with its own field as spaces.
  block.write('        ', 148, 'latin1');
  block.write('0', 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write('0000000\0', 329, 'latin1');
  block.write('0000000\0', 337, 'latin1');
  block.write(prefix, 345, 'utf8');
  block.write(`${tarChecksum(block).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** The sum of a header's bytes, its checksum field counted as eight spaces. */
export function tarChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let index = 0; index < TAR_BLOCK; index += 1) sum += index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
  return sum;
}

/** The ustar name and prefix fields of a path: the whole path as the name when it fits, else split at a `/`. */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= NAME_BYTES) return { prefix: '', name: path };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= PREFIX_BYTES && Buffer.byteLength(name) <= NAME_BYTES && name.length > 0) return { prefix, name };
  }
  throw invalidBundle(
    'the bundle being built',
    '',
    `paths of at most ${PREFIX_BYTES} bytes of folders and ${NAME_BYTES} of file name`,
    `${path} is too long for a tar entry; shorten the folders of the policy set`,
  );
}
