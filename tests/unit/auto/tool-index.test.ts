import { describe, expect, it } from 'vitest';
import { ToolIndex } from '../../../src/auto/tool-index.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';

const entry = (index: number, tools?: string[]) => ({ index, tools, name: `p${index}` });

describe('ToolIndex', () => {
  const entries = [
    entry(0, ['payments.transfer']),
    entry(1, ['payments.*']),
    entry(2),
    entry(3, ['crm.**', 'payments.transfer']),
    entry(4, ['payments.refund']),
  ];
  const index = new ToolIndex(entries, DEFAULT_LIMITS);
  const names = (tool: string) => index.lookup(tool).map((found) => found.name);

  it('finds exact names, globs and catch-alls in set order, each once', () => {
    expect(names('payments.transfer')).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(names('payments.refund')).toEqual(['p1', 'p2', 'p4']);
    expect(names('crm.contact.update')).toEqual(['p2', 'p3']);
    expect(names('other')).toEqual(['p2']);
  });

  it('treats glob syntax in a tool name as plain text', () => {
    expect(names('payments.*')).toEqual(['p1', 'p2']);
  });

  it('answers the same from its cache, for long names that are not cached too', () => {
    expect(index.lookup('payments.transfer')).toBe(index.lookup('payments.transfer'));
    const long = `payments.${'x'.repeat(10_000)}`;
    expect(names(long)).toEqual(['p1', 'p2']);
    expect(names(long)).toEqual(['p1', 'p2']);
  });

  it('stays correct after its cache fills and is cleared', () => {
    for (let n = 0; n < 5_000; n += 1) index.lookup(`tool.${n}`);
    expect(names('payments.transfer')).toEqual(['p0', 'p1', 'p2', 'p3']);
  });
});
