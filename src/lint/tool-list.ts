import { closestNames } from '../did-you-mean.js';
import { TierguardError } from '../errors.js';
import { jsonKind } from '../json-values.js';
import type { ToolDescription } from '../mcp/gateway/check-tool-schemas.js';

/**
 * The tools a schema file lists, as `tools/list` returns them
 * (`{ tools: [{ name, inputSchema }] }`, other keys such as `nextCursor`
 * ignored) or as a bare array of them. Each tool needs a string `name`, used
 * once, and an object `inputSchema`; `outputSchema`, when given, must be an
 * object too. Anything else is an `INVALID_OPTIONS` error naming `source` and the
 * JSON pointer of the entry at fault.
 */
export function toolListOf(value: unknown, source: string): ToolDescription[] {
  const list = Array.isArray(value) ? value : listIn(value, source);
  const base = Array.isArray(value) ? '' : '/tools';
  const seen = new Map<string, number>();
  return list.map((entry: unknown, index) => {
    const at = `${base}/${index}`;
    const fail = (what: string): never => {
      throw new TierguardError('INVALID_OPTIONS', `${source}: the tool at ${at} ${what}`, { option: 'tools', file: source, actual: at });
    };
    if (jsonKind(entry) !== 'object') fail(`is ${jsonKind(entry) ?? 'not JSON'}, not an object with a name and an inputSchema`);
    const tool = entry as Record<string, unknown>;
    const name = Object.hasOwn(tool, 'name') ? tool.name : undefined;
    if (typeof name !== 'string' || name === '') fail('needs a non-empty string "name"');
    const named = name as string;
    const earlier = seen.get(named);
    if (earlier !== undefined) fail(`repeats the name ${JSON.stringify(named)} of ${base}/${earlier}`);
    seen.set(named, index);
    const input = Object.hasOwn(tool, 'inputSchema') ? tool.inputSchema : undefined;
    if (jsonKind(input) !== 'object') {
      const hint = input === undefined ? mistyped(Object.keys(tool), 'inputSchema') : '';
      fail(`(${JSON.stringify(named)}) needs an object "inputSchema", the JSON Schema of its arguments${hint}`);
    }
    const output = Object.hasOwn(tool, 'outputSchema') ? tool.outputSchema : undefined;
    if (output !== undefined && jsonKind(output) !== 'object') fail(`(${JSON.stringify(named)}) has an "outputSchema" that is no object`);
    return { name: named, inputSchema: input as object, ...(output === undefined ? {} : { outputSchema: output as object }) };
  });
}

function listIn(value: unknown, source: string): unknown[] {
  const tools = jsonKind(value) === 'object' && Object.hasOwn(value as object, 'tools') ? (value as { tools: unknown }).tools : undefined;
  if (Array.isArray(tools)) return tools;
  const keys = jsonKind(value) === 'object' ? Object.keys(value as object) : [];
  const hint = tools === undefined ? mistyped(keys, 'tools') : '';
  throw new TierguardError(
    'INVALID_OPTIONS',
    `${source}: expected the result of tools/list ({ "tools": [...] }) or an array of tools, not ${describe(value)}${hint}`,
    { option: 'tools', file: source },
  );
}

function describe(value: unknown): string {
  const kind = jsonKind(value);
  if (kind === 'object')
    return Object.hasOwn(value as object, 'tools') ? 'an object whose "tools" is no array' : 'an object without "tools"';
  return kind ?? 'a value JSON cannot hold';
}

// ` (it has "inputschema": did you mean "inputSchema"?)` when a key looks like a misspelling of `wanted`.
function mistyped(keys: readonly string[], wanted: string): string {
  const near = keys.find((key) => closestNames(key, [wanted]).length > 0);
  return near === undefined ? '' : ` (it has ${JSON.stringify(near)}: did you mean ${JSON.stringify(wanted)}?)`;
}
