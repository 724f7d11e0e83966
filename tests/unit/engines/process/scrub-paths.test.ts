import { describe, expect, it } from 'vitest';
import { scrubPaths } from '../../../../src/engines/process/scrub-paths.js';

const DIR = '/tmp/tierguard-engine-Ab3xYz';

describe('scrubPaths', () => {
  it('rewrites the directory out of file paths, whatever form they take', () => {
    expect(scrubPaths(`${DIR}/main.tf:3: bucket is public`, [DIR])).toBe('main.tf:3: bucket is public');
    expect(scrubPaths(`file://${DIR}/a/b.js`, [DIR])).toBe('a/b.js');
    expect(scrubPaths(`../../..${DIR}/b.js`, [DIR])).toBe('b.js');
    expect(scrubPaths(`"uri":"${DIR}/b.js"`, [DIR])).toBe('"uri":"b.js"');
    expect(scrubPaths(`C:\\Temp\\tierguard-engine-Ab3xYz\\b.js`, [DIR])).toBe('b.js');
  });

  it('rewrites the directory itself to `.`', () => {
    expect(scrubPaths(`scanned ${DIR}`, [DIR])).toBe('scanned .');
    expect(scrubPaths(`scanned (${DIR}) and ${DIR}: ok`, [DIR])).toBe('scanned (.) and .: ok');
  });

  it('rewrites every mention, of every directory given', () => {
    const other = '/var/tmp/tierguard-engine-Q9q9q9';
    const text = `${DIR}/a.js ${other}/b.js ${DIR}/c.js`;
    expect(scrubPaths(text, [DIR, other])).toBe('a.js b.js c.js');
  });

  it('leaves alone a longer name that only starts with the directory name, and text without mentions', () => {
    expect(scrubPaths(`${DIR}x/a.js`, [DIR])).toBe(`${DIR}x/a.js`);
    const plain = 'nothing to see here';
    expect(scrubPaths(plain, [DIR])).toBe(plain);
    expect(scrubPaths(plain, ['/'])).toBe(plain);
  });

  it('handles a long token packed with mentions and near-misses (linear: quadratic would time the test out)', () => {
    const text = `${'tierguard-engine-Ab3xY'.repeat(20_000)} ${`q${DIR}/`.repeat(20_000)}end`;
    expect(scrubPaths(text, [DIR])).toBe(`${'tierguard-engine-Ab3xY'.repeat(20_000)} end`);
  });
});
