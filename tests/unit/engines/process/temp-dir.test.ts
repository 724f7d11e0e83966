import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMP_DIR_PREFIX, withTempDir } from '../../../../src/engines/process/temp-dir.js';

describe('withTempDir', () => {
  it('hands over a fresh private directory and removes it with its contents afterwards', async () => {
    let seen = '';
    const result = await withTempDir(async (dir) => {
      seen = dir;
      expect(basename(dir).startsWith(TEMP_DIR_PREFIX)).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      await writeFile(join(dir, 'artifact.tf'), 'resource "x" "y" {}');
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the directory when the work throws, and passes the throw on', async () => {
    let seen = '';
    const failing = withTempDir(async (dir) => {
      seen = dir;
      await writeFile(join(dir, 'x'), 'x');
      throw new Error('engine blew up');
    });
    await expect(failing).rejects.toThrow('engine blew up');
    expect(existsSync(seen)).toBe(false);
  });

  it('gives concurrent runs different directories', async () => {
    const dirs = await Promise.all(Array.from({ length: 8 }, () => withTempDir(async (dir) => dir)));
    expect(new Set(dirs).size).toBe(8);
  });
});
