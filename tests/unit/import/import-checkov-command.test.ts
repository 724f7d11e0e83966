import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { write: (text: string) => (out += text) }, { write: (text: string) => (err += text) });
  return { code, out, err };
}

describe('tierguard import checkov without a usable Checkov', () => {
  it('exits 2 saying Checkov is not available and how to install it', async () => {
    const { code, out, err } = await run(['import', 'checkov', '--command', 'no-such-checkov-binary']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^tierguard: IO_ERROR: checkov is not available: .*pip install checkov==/);
  });

  it('refuses a framework that is no plain name before running anything', async () => {
    const { code, err } = await run(['import', 'checkov', '--framework', '../x', '--command', 'no-such-checkov-binary']);
    expect(code).toBe(2);
    expect(err).toBe('tierguard: IO_ERROR: "../x" is not a Checkov framework name\n');
  });

  it('is a usage error for an unknown option', async () => {
    const { code, err } = await run(['import', 'checkov', '--frameworks', 'terraform']);
    expect(code).toBe(2);
    expect(err).toContain('usage:');
  });
});
