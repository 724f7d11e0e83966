import { describe, expect, it } from 'vitest';
import { isTierguardError } from '../../../src/errors.js';
import { toolListOf } from '../../../src/lint/tool-list.js';
import { thrownBy } from '../../support/thrown-by.js';

/** The tool schemas file: what tools/list returns, or the bare array. */

const TOOL = { name: 'read_file', inputSchema: { type: 'object' } };

describe('toolListOf', () => {
  it('takes the result of tools/list, other keys ignored, and a bare array', () => {
    expect(toolListOf({ tools: [TOOL], nextCursor: 'x' }, 'tools.json')).toEqual([TOOL]);
    expect(toolListOf([TOOL], 'tools.json')).toEqual([TOOL]);
    const output = { ...TOOL, outputSchema: { type: 'object' }, description: 'd', annotations: {} };
    expect(toolListOf([output], 'f')).toEqual([{ ...TOOL, outputSchema: { type: 'object' } }]);
  });

  it('refuses anything else with INVALID_OPTIONS naming the file and the entry', () => {
    const refused = (value: unknown): string => {
      const error = thrownBy(() => toolListOf(value, 'tools.json'));
      expect(isTierguardError(error, 'INVALID_OPTIONS')).toBe(true);
      return (error as Error).message;
    };
    expect(refused({ tool: [TOOL] })).toBe(
      'tools.json: expected the result of tools/list ({ "tools": [...] }) or an array of tools, not an object without "tools" (it has "tool": did you mean "tools"?)',
    );
    expect(refused({ tools: {} })).toContain('an object whose "tools" is no array');
    expect(refused('tools')).toContain('not string');
    expect(refused([TOOL, 5])).toBe('tools.json: the tool at /1 is number, not an object with a name and an inputSchema');
    expect(refused({ tools: [{ inputSchema: {} }] })).toBe('tools.json: the tool at /tools/0 needs a non-empty string "name"');
    expect(refused([{ name: 'a', inputschema: {} }])).toContain(
      'needs an object "inputSchema", the JSON Schema of its arguments (it has "inputschema": did you mean "inputSchema"?)',
    );
    expect(refused([{ name: 'a', inputSchema: [] }])).toContain('needs an object "inputSchema"');
    expect(refused([{ name: 'a', inputSchema: {}, outputSchema: 'x' }])).toContain('has an "outputSchema" that is no object');
    expect(refused([TOOL, TOOL])).toBe('tools.json: the tool at /1 repeats the name "read_file" of /0');
  });

  it('reads prototype keys as plain keys', () => {
    const listed = JSON.parse('{"tools": [{"name": "__proto__", "inputSchema": {"properties": {"constructor": {}}}}]}') as unknown;
    expect(toolListOf(listed, 'f').map((tool) => tool.name)).toEqual(['__proto__']);
    expect(() => toolListOf(JSON.parse('{"__proto__": {"tools": []}}'), 'f')).toThrow(/without "tools"/);
  });
});
