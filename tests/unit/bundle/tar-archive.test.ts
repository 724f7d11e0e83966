import { describe, expect, it } from 'vitest';
import { readTar } from '../../../src/bundle/tar-read.js';
import { TAR_BLOCK, tarChecksum, writeTar } from '../../../src/bundle/tar-write.js';
import type { TierguardError } from '../../../src/index.js';

/** The tar writer's determinism, and the reader against every hostile archive it must refuse, each by name. */

const BOUNDS = { maxEntries: 100, maxEntryBytes: 1024 };

/** A ustar header written by hand, for entries the writer would never make; `checksum: false` leaves it wrong. */
function header(fields: {
  name: string;
  size?: number;
  type?: string;
  prefix?: string;
  magic?: string;
  sizeField?: Buffer;
  checksum?: boolean;
}): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  block.write(fields.name, 0, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  if (fields.sizeField === undefined) block.write(`${(fields.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else fields.sizeField.copy(block, 124);
  block.write(fields.type ?? '0', 156, 'latin1');
  block.write(fields.magic ?? 'ustar\u000000', 257, 'latin1');
  block.write(fields.prefix ?? '', 345, 'utf8');
  const sum = tarChecksum(block) + (fields.checksum === false ? 1 : 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function body(content: string): Buffer {
  const bytes = Buffer.from(content);
  return Buffer.concat([bytes, Buffer.alloc((TAR_BLOCK - (bytes.length % TAR_BLOCK)) % TAR_BLOCK)]);
}

const END = Buffer.alloc(2 * TAR_BLOCK);

function refusal(tar: Buffer, bounds = BOUNDS): TierguardError {
  try {
    readTar(tar, bounds, 'test.tar.gz');
  } catch (error) {
    return error as TierguardError;
  }
  throw new Error('expected readTar to refuse the archive');
}

describe('writeTar', () => {
  it('writes the same bytes for the same entries, and readTar reads exactly them back', () => {
    const entries = [
      { path: 'manifest.json', content: Buffer.from('{}\n') },
      { path: `files/${'d'.repeat(120)}/${'n'.repeat(90)}.rego`, content: Buffer.from('package x\n') },
      { path: 'files/binary.tar.gz', content: Buffer.from([0x1f, 0x8b, 0xff, 0x00, 0xfe]) },
      { path: 'files/empty.txt', content: Buffer.alloc(0) },
    ];
    const tar = writeTar(entries);
    expect(writeTar(entries).equals(tar)).toBe(true);
    expect(tar.length % TAR_BLOCK).toBe(0);
    const read = readTar(tar, BOUNDS, 'test');
    expect([...read.keys()]).toEqual(entries.map((entry) => entry.path));
    for (const entry of entries) expect(read.get(entry.path)?.equals(entry.content)).toBe(true);
  });

  it('refuses a path longer than ustar can hold, rather than writing an extension header', () => {
    expect(() => writeTar([{ path: 'x'.repeat(300), content: Buffer.alloc(1) }])).toThrow(/too long for a tar entry/);
  });
});

describe('readTar on hostile archives', () => {
  it('reads folders and regular files, dropping the folders', () => {
    const tar = Buffer.concat([header({ name: 'files/', type: '5' }), header({ name: 'files/a.txt', size: 2 }), body('hi'), END]);
    expect([...readTar(tar, BOUNDS, 'test').keys()]).toEqual(['files/a.txt']);
  });

  it.each([
    ['1', 'a hard link'],
    ['2', 'a symbolic link'],
    ['3', 'a character device'],
    ['4', 'a block device'],
    ['6', 'a FIFO'],
    ['x', 'a PAX extended header'],
    ['L', 'a GNU long name'],
    ['Z', 'an entry of type "Z"'],
  ])('refuses an entry of type %s (%s)', (type, kind) => {
    const error = refusal(Buffer.concat([header({ name: 'files/evil', type }), END]));
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.message).toContain(`files/evil is ${kind}`);
  });

  it.each([
    ['/etc/passwd', 'an absolute path'],
    ['files/../../etc/passwd', 'a ".." segment'],
    ['./manifest.json', 'a "." segment'],
    ['files//a', 'an empty segment'],
    ['files\\a', 'a backslash'],
    ['files/a\u0007', 'a control character'],
  ])('refuses the path %j (%s)', (name, reason) => {
    const error = refusal(Buffer.concat([header({ name, size: 1 }), body('x'), END]));
    expect(error.message).toContain(reason);
  });

  it('refuses a path made unsafe by its prefix field', () => {
    expect(refusal(Buffer.concat([header({ name: 'passwd', prefix: '/etc', size: 1 }), body('x'), END])).message).toContain(
      'an absolute path',
    );
  });

  it('refuses a path that is not UTF-8', () => {
    const block = header({ name: 'files/a' });
    block[7] = 0xff;
    block.write(`${tarChecksum(block).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(refusal(Buffer.concat([block, END])).message).toContain('not UTF-8');
  });

  it('refuses the same path twice, and a path that is a file and a folder', () => {
    const twice = Buffer.concat([header({ name: 'a', size: 1 }), body('1'), header({ name: 'a', size: 1 }), body('2'), END]);
    expect(refusal(twice).message).toContain('a appears twice');
    const both = Buffer.concat([header({ name: 'a', size: 1 }), body('1'), header({ name: 'a/b', size: 1 }), body('2'), END]);
    expect(refusal(both).message).toContain('a is a file and the folder of a/b');
    const folderTwice = Buffer.concat([header({ name: 'a/', type: '5' }), header({ name: 'a', size: 1 }), body('1'), END]);
    expect(refusal(folderTwice).message).toContain('a appears twice');
  });

  it('refuses a damaged header (checksum), a non-ustar header and a malformed or base-256 size', () => {
    expect(refusal(Buffer.concat([header({ name: 'a', checksum: false }), END])).message).toContain('checksum mismatch');
    expect(refusal(Buffer.concat([header({ name: 'a', magic: 'xxxxx\u000000' }), END])).message).toContain('not a ustar header');
    const base256 = Buffer.alloc(12);
    base256[0] = 0x80;
    base256[11] = 0x01;
    expect(refusal(Buffer.concat([header({ name: 'a', sizeField: base256 }), END])).message).toContain('malformed size');
  });

  it('refuses an archive that is truncated: no end block, a body running past the end, half a header', () => {
    const file = Buffer.concat([header({ name: 'a', size: 2 }), body('hi')]);
    expect(refusal(file).message).toContain('truncated');
    expect(refusal(Buffer.concat([header({ name: 'a', size: 600 }), body('hi')])).message).toContain('a runs past its end');
    expect(refusal(Buffer.concat([file, END]).subarray(0, TAR_BLOCK * 2 + 100)).message).toContain('truncated');
    expect(refusal(Buffer.alloc(0)).message).toContain('truncated');
  });

  it('refuses data after the end-of-archive block', () => {
    const tar = Buffer.concat([header({ name: 'a', size: 1 }), body('x'), END, header({ name: 'hidden', size: 1 }), body('y')]);
    expect(refusal(tar).message).toContain('data after its end');
  });

  it('refuses an entry past maxEntryBytes and an archive past maxEntries', () => {
    const big = Buffer.concat([header({ name: 'a', size: 2000 }), body('x'.repeat(2000)), END]);
    const error = refusal(big);
    expect(error.message).toContain('a holds 2000 bytes');
    const many = Buffer.concat([
      ...Array.from({ length: 5 }, (_, index) => [header({ name: `f${index}`, size: 1 }), body('x')]).flat(),
      END,
    ]);
    expect(refusal(many, { maxEntries: 4, maxEntryBytes: 1024 }).message).toContain('more than 4 entries');
  });

  it('refuses a folder entry with content', () => {
    expect(refusal(Buffer.concat([header({ name: 'a/', type: '5', size: 1 }), body('x'), END])).message).toContain(
      'the folder a has a size',
    );
  });
});
