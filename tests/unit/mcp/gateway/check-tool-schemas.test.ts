import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../src/limits.js';
import { createEngine } from '../../../../src/engine.js';
import {
  checkEngineAgainstTools,
  checkPoliciesAgainstTools,
  formatToolSchemaProblems,
  type ToolDescription,
  type ToolSchemaProblem,
} from '../../../../src/mcp/gateway/check-tool-schemas.js';
import { compilePolicies } from '../../../../src/policy/compile-policies.js';
import type { PolicyDefinition } from '../../../../src/types.js';

const readFile: ToolDescription = {
  name: 'read_file',
  inputSchema: { type: 'object', properties: { path: { type: 'string' }, encoding: { type: 'string' } }, required: ['path'] },
};
const writeFile: ToolDescription = {
  name: 'write_file',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string' },
      content: { type: 'string' },
      options: { type: 'object', properties: { mode: { type: 'integer' }, append: { type: 'boolean' } }, additionalProperties: false },
    },
  },
};
const TOOLS = [readFile, writeFile];

function check(definitions: readonly PolicyDefinition[], tools: readonly ToolDescription[] = TOOLS, options = {}): ToolSchemaProblem[] {
  return checkPoliciesAgainstTools(compilePolicies(definitions, DEFAULT_LIMITS), tools, options);
}

/** A policy on `tools` that asserts `field` is a string: the smallest policy that reads a field. */
function reading(field: string, tools?: readonly string[]): PolicyDefinition {
  return { id: 'p', ...(tools === undefined ? {} : { tools }), assert: { field, op: 'regex', value: '.' } };
}

function fields(tool: ToolDescription['inputSchema'], field: string): ToolSchemaProblem[] {
  return check([reading(field, ['t'])], [{ name: 't', inputSchema: tool }]);
}

describe('checkPoliciesAgainstTools: a typo can no longer silently allow', () => {
  it('reports a typo in a when field, naming the policy, the field, the tool and the closest property', () => {
    const problems = check([
      {
        id: 'no-env',
        tools: ['read_file'],
        when: { field: 'arguments.pth', op: 'glob', value: '**/.env' },
        assert: { field: 'tool', op: 'eq', value: 'never' },
      },
    ]);
    expect(problems).toEqual([
      {
        policyId: 'no-env',
        pointer: '/when/field',
        field: 'arguments.pth',
        tool: 'read_file',
        message: `policy "no-env" reads "arguments.pth" (/when/field), but tool "read_file"'s inputSchema has no "pth" under arguments (did you mean "path"?)`,
        suggestions: ['arguments.path'],
      },
    ]);
  });

  it('reports a typo in an assert, nested and in a valueRef', () => {
    const problems = check([
      {
        id: 'modes',
        tools: ['write_file'],
        assert: {
          all: [
            { field: 'arguments.options.mdoe', op: 'lte', value: 420 },
            { field: 'arguments.path', op: 'eq', valueRef: 'arguments.contnet' },
          ],
        },
      },
    ]);
    expect(problems.map((problem) => [problem.pointer, problem.message])).toEqual([
      [
        '/assert/all/0/field',
        `policy "modes" reads "arguments.options.mdoe" (/assert/all/0/field), but tool "write_file"'s inputSchema has no "mdoe" under arguments.options (did you mean "mode"?)`,
      ],
      [
        '/assert/all/1/valueRef',
        `policy "modes" reads "arguments.contnet" (/assert/all/1/valueRef), but tool "write_file"'s inputSchema has no "contnet" under arguments (did you mean "content"?)`,
      ],
    ]);
  });

  it('reports nothing for a correct policy set, whatever it reads outside arguments', () => {
    const problems = check([
      {
        id: 'env',
        tools: ['read_file', 'write_file'],
        when: { field: 'arguments.path', op: 'glob', value: '**/.env' },
        assert: { field: 'context.user.role', op: 'eq', value: 'admin' },
      },
      {
        id: 'mode',
        tools: ['write_*'],
        require: ['arguments.content'],
        assert: { field: 'arguments.options.mode', op: 'lte', value: 420 },
      },
      {
        id: 'all',
        assert: { field: 'kind', op: 'neq', value: 'x' },
        rewrite: [{ op: 'set_default', field: 'arguments.encoding', value: 'utf8' }],
      },
      {
        id: 'shape',
        tools: ['write_file'],
        shape: { properties: [{ path: 'arguments.options', node: { properties: [{ path: 'append', datatype: 'boolean' }] } }] },
      },
      {
        id: 'resources',
        tools: ['file:///**'],
        when: { field: 'kind', op: 'eq', value: 'resources/read' },
        assert: { field: 'arguments.uri', op: 'regex', value: '^file' },
      },
      { id: 'result', tools: ['read_file'], on: 'response', assert: { field: 'result.content', op: 'exists' } },
    ]);
    expect(problems).toEqual([]);
  });

  it('checks every tool a pattern selects, each failing one named', () => {
    const problems = check([reading('arguments.content', ['*_file'])]);
    expect(problems.map((problem) => problem.tool)).toEqual(['read_file']);
  });

  it('checks a policy without tools against the whole server: the field must exist in some tool', () => {
    expect(check([reading('arguments.content')])).toEqual([]);
    expect(check([reading('arguments.contents')])).toEqual([
      {
        policyId: 'p',
        pointer: '/assert/field',
        field: 'arguments.contents',
        message: `policy "p" reads "arguments.contents" (/assert/field), but no tool of the server has it in its inputSchema (did you mean "content"?)`,
        suggestions: ['arguments.content'],
      },
    ]);
  });

  it('offers whole paths to write instead, at the key that is wrong, and none for a JSONPath', () => {
    const problems = check([
      reading('argumnets.path', ['read_file']),
      { ...reading('arguments.pth', ['read_file']), id: 'q' },
      { ...reading('$.arguments.pth', ['read_file']), id: 'r' },
    ]);
    expect(problems.map((problem) => problem.suggestions)).toEqual([['arguments.path'], ['arguments.path'], undefined]);
    expect(problems[2]?.message).toContain('(did you mean "path"?)');
  });

  it('reports a top-level key gateway actions do not have, and result on a request policy', () => {
    const problems = check([reading('argumnets.path', ['read_file']), { ...reading('result.content', ['read_file']), id: 'q' }]);
    expect(problems.map((problem) => problem.message)).toEqual([
      `policy "p" reads "argumnets.path" (/assert/field), but the actions a gateway judges have only tool, kind, arguments, context at the top (did you mean "arguments"?)`,
      `policy "q" reads "result.content" (/assert/field), but the actions a gateway judges have only tool, kind, arguments, context at the top`,
    ]);
    expect(
      check([reading('transport.peer', ['read_file'])], TOOLS, { actionKeys: ['tool', 'kind', 'arguments', 'context', 'transport'] }),
    ).toEqual([]);
  });

  it('reads rewrite targets, require, JSONPath prefixes and shape siblings', () => {
    const problems = check([
      {
        id: 'many',
        tools: ['write_file'],
        require: ['arguments.contnt'],
        rewrite: [{ op: 'mask_field', field: 'arguments.secret' }],
        assert: { field: '$.arguments.optons[*]', op: 'exists' },
        shape: { properties: [{ path: 'arguments', node: { properties: [{ path: 'path', equals: 'conten' }] } }] },
      },
    ]);
    expect(problems.map((problem) => [problem.pointer, problem.field])).toEqual([
      ['/require/0', 'arguments.contnt'],
      ['/assert/field', '$.arguments.optons[*]'],
      ['/rewrite/0/field', 'arguments.secret'],
      ['/shape/properties/0/node/properties/0/equals', 'arguments.conten'],
    ]);
    expect(check([{ id: 'deep', tools: ['write_file'], assert: { field: '$..anything', op: 'exists' } }])).toEqual([]);
  });
});

describe('checkPoliciesAgainstTools: tools patterns', () => {
  it('reports a pattern that matches no tool, with the closest names', () => {
    expect(check([reading('arguments.path', ['red_file', 'write_file'])])).toEqual([
      {
        policyId: 'p',
        pointer: '/tools/0',
        message: `policy "p": tools pattern "red_file" (/tools/0) matches no tool of the server (did you mean "read_file"?)`,
        suggestions: ['read_file'],
      },
    ]);
    expect(check([reading('arguments.path', ['db.*'])]).map((problem) => problem.pointer)).toEqual(['/tools/0']);
  });

  it('accepts a pattern that matches another target (a prompt, a resource, initialize), and ignores response and kind-scoped policies', () => {
    expect(check([reading('context.x', ['summarise'])], TOOLS, { otherTargets: ['summarise'] })).toEqual([]);
    expect(check([reading('context.x', ['initialize'])])).toEqual([]);
    expect(check([{ ...reading('result.content', ['gone']), on: 'response' }])).toEqual([]);
    expect(
      check([
        {
          id: 'prompt',
          tools: ['summarise'],
          when: { field: 'kind', op: 'in', value: ['prompts/get'] },
          assert: { field: 'arguments.topic', op: 'exists' },
        },
      ]),
    ).toEqual([]);
    // A policy that only binds enforcement engines judges artifacts, never tool calls.
    expect(
      check([{ id: 'rego', tools: ['terraform/**'], enforcement: [{ engine: 'opa', policy: 'rules.rego', query: 'data.deny' }] }]),
    ).toEqual([]);
    // A `when` that still admits tool calls is checked.
    expect(
      check([
        { id: 'q', tools: ['nothing'], when: { field: 'kind', op: 'neq', value: 'prompts/get' }, assert: { field: 'tool', op: 'exists' } },
      ]),
    ).toHaveLength(1);
  });
});

describe('checkPoliciesAgainstTools: schema forms', () => {
  it('follows arrays by index, * and [*] in rewrites, and prefixItems', () => {
    const schema = {
      type: 'object',
      properties: {
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        pair: { type: 'array', prefixItems: [{ type: 'object', properties: { a: {} } }, { type: 'string' }], items: false },
      },
    };
    expect(fields(schema, 'arguments.lines.0.sku')).toEqual([]);
    expect(fields(schema, 'arguments.lines[3].sku')).toEqual([]);
    expect(fields(schema, 'arguments.lines.0.skus')[0]?.message).toContain(`has no "skus" under arguments.lines.0 (did you mean "sku"?)`);
    expect(fields(schema, 'arguments.pair.0.a')).toEqual([]);
    expect(fields(schema, 'arguments.pair.1.a')[0]?.message).toContain('arguments.pair.1 is not an object');
    expect(fields(schema, 'arguments.pair.2')).toHaveLength(1);
    const rewrite = (field: string): ToolSchemaProblem[] =>
      check([{ id: 'r', tools: ['t'], rewrite: [{ op: 'remove_field', field }] }], [{ name: 't', inputSchema: schema }]);
    expect(rewrite('arguments.lines.*.sku')).toEqual([]);
    expect(rewrite('arguments.lines[*].sku')).toEqual([]);
    expect(rewrite('arguments.lines[*].skux')[0]?.message).toContain('no "skux" under arguments.lines[*] (did you mean "sku"?)');
    // A dot-path of a predicate reads `*` as a literal key, as the engine does: it is not there.
    expect(fields(schema, 'arguments.lines.*.sku')).toHaveLength(1);
  });

  it('reads a shape path through arrays as repeated values', () => {
    const schema = {
      type: 'object',
      properties: { lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } } },
    };
    const shape = (path: string): ToolSchemaProblem[] =>
      check(
        [
          {
            id: 's',
            tools: ['t'],
            shape: { properties: [{ path: 'arguments.lines', node: { properties: [{ path, datatype: 'string' }] } }] },
          },
        ],
        [{ name: 't', inputSchema: schema }],
      );
    expect(shape('sku')).toEqual([]);
    expect(shape('skus').map((problem) => [problem.pointer, problem.field])).toEqual([
      ['/shape/properties/0/node/properties/0/path', 'arguments.lines.skus'],
    ]);
  });

  it('follows $ref to $defs and definitions, cycles included', () => {
    const schema = {
      type: 'object',
      properties: { owner: { $ref: '#/$defs/person' }, legacy: { $ref: '#/definitions/old' } },
      $defs: { person: { type: 'object', properties: { name: { type: 'string' }, manager: { $ref: '#/$defs/person' } } } },
      definitions: { old: { type: 'object', properties: { id: {} } } },
    };
    expect(fields(schema, 'arguments.owner.manager.manager.name')).toEqual([]);
    expect(fields(schema, 'arguments.legacy.id')).toEqual([]);
    expect(fields(schema, 'arguments.owner.manager.nmae')[0]?.message).toContain('(did you mean "name"?)');
    const loop = { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } };
    expect(fields(loop, 'arguments.x')[0]?.message).toContain(`arguments is not an object in tool "t"'s inputSchema, so it has no "x"`);
  });

  it('finds a key in any branch of allOf, anyOf and oneOf', () => {
    const schema = {
      type: 'object',
      allOf: [{ properties: { a: {} } }],
      anyOf: [{ properties: { b: {} } }, { properties: { c: {} } }],
      oneOf: [{ properties: { d: { type: 'object', properties: { e: {} } } } }],
    };
    for (const field of ['a', 'b', 'c', 'd.e']) expect(fields(schema, `arguments.${field}`)).toEqual([]);
    expect(fields(schema, 'arguments.f')[0]?.message).toMatch(/has no "f" under arguments$/);
    expect(fields(schema, 'arguments.d.f')).toHaveLength(1);
  });

  it('reads branches that only add constraints as saying nothing of the keys, not as open', () => {
    const either = { type: 'object', properties: { path: {}, uri: {} }, oneOf: [{ required: ['path'] }, { required: ['uri'] }] };
    expect(fields(either, 'arguments.uri')).toEqual([]);
    expect(fields(either, 'arguments.url')[0]?.message).toContain('has no "url" under arguments (did you mean "uri"?)');
    // With no schema listing keys, the object is open.
    expect(fields({ type: 'object', anyOf: [{ required: ['a'] }, { minProperties: 1 }] }, 'arguments.anything')).toEqual([]);
    expect(fields({ allOf: [{ description: 'd' }, { $ref: '#/$defs/free' }], $defs: { free: {} } }, 'arguments.anything')).toEqual([]);
    expect(fields({ additionalProperties: { properties: { x: {} } } }, 'arguments.k.x')).toEqual([]);
    expect(fields({ additionalProperties: { properties: { x: {} } } }, 'arguments.k.y')).toHaveLength(1);
    // `true` as a branch says nothing; as the whole schema of a value, anything is there.
    expect(fields({ type: 'object', properties: { a: {} }, allOf: [true], anyOf: [true] }, 'arguments.b')).toHaveLength(1);
    expect(fields({ anyOf: [true] }, 'arguments.b')).toEqual([]);
    expect(fields({ type: 'object', properties: { a: true } }, 'arguments.a.b.c')).toEqual([]);
    expect(fields({ $ref: '#/$defs/any', $defs: { any: true } }, 'arguments.b')).toEqual([]);
  });

  it('treats additionalProperties, patternProperties and schemas that list no properties as open', () => {
    expect(fields({ type: 'object', properties: { a: {} }, additionalProperties: true }, 'arguments.anything')).toEqual([]);
    const typed = { type: 'object', properties: { a: {} }, additionalProperties: { type: 'object', properties: { x: {} } } };
    expect(fields(typed, 'arguments.any.x')).toEqual([]);
    expect(fields(typed, 'arguments.any.y')).toHaveLength(1);
    const patterned = { type: 'object', patternProperties: { '^x-': { type: 'string' } } };
    expect(fields(patterned, 'arguments.x-trace')).toEqual([]);
    expect(fields(patterned, 'arguments.trace')).toHaveLength(1);
    for (const open of [{}, { type: 'object' }, { description: 'anything' }, { type: 'object', properties: { meta: {} } }]) {
      expect(fields(open, 'arguments.meta.deep.down')).toEqual([]);
    }
    expect(fields({ type: 'object', additionalProperties: false }, 'arguments.a')).toHaveLength(1);
    expect(fields({ type: 'object', properties: { s: { type: 'string' } } }, 'arguments.s.length')[0]?.message).toContain(
      'arguments.s is not an object in',
    );
    expect(fields({ type: 'object', properties: { s: { type: 'string' } } }, 'arguments.s.0')[0]?.message).toContain(
      'arguments.s is neither an object nor an array in',
    );
    expect(fields({ type: 'object', properties: { list: { type: 'array' } } }, 'arguments.list.0.x')).toEqual([]);
    expect(fields({ type: 'object', properties: { list: { type: 'array' } } }, 'arguments.list.x')[0]?.message).toContain(
      'arguments.list is not an object in',
    );
  });

  it('checks a response policy against the outputSchema, when the tool has one', () => {
    const tool: ToolDescription = {
      name: 't',
      inputSchema: { type: 'object', properties: {} },
      outputSchema: { type: 'object', properties: { rows: { type: 'array' } } },
    };
    const response = (field: string): ToolSchemaProblem[] =>
      check([{ id: 'r', tools: ['t'], on: 'response', assert: { field, op: 'exists' } }], [tool]);
    expect(response('result.structuredContent.rows.0')).toEqual([]);
    expect(response('result.structuredContent.rws')[0]?.message).toContain(
      `tool "t"'s outputSchema has no "rws" under result.structuredContent (did you mean "rows"?)`,
    );
    expect(response('result.content.0.text')).toEqual([]);
    expect(
      check([{ id: 'r', tools: ['read_file'], on: 'response', assert: { field: 'result.structuredContent.x', op: 'exists' } }]),
    ).toEqual([]);
  });
});

describe('checkPoliciesAgainstTools: hostile schemas', () => {
  it('stops at limits.maxDepth in deep nesting, and at limits.maxNodes in a branch explosion, with a problem', () => {
    let deep: object = { type: 'object', properties: { leaf: {} } };
    for (let level = 0; level < 10_000; level += 1) deep = { allOf: [deep] };
    const problems = fields(deep, 'arguments.leaf');
    expect(problems[0]?.message).toContain('cannot be followed to arguments.leaf: it nests deeper than limits.maxDepth (64)');
    let nested: object = { type: 'object', properties: { leaf: {} } };
    for (let level = 0; level < 10_000; level += 1) nested = { type: 'array', items: nested };
    expect(
      check([{ id: 's', tools: ['t'], shape: { properties: [{ path: 'arguments.leaf' }] } }], [{ name: 't', inputSchema: nested }])[0]
        ?.message,
    ).toContain('limits.maxDepth');
    const wide = {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 200_000 }, (_, index) => [`p${index}`, { type: 'object', properties: { x: {} } }]),
      ),
    };
    expect(fields(wide, 'arguments.p199999.x')).toEqual([]);
    expect(fields(wide, 'arguments.q')).toHaveLength(1);
    const rewrite = check(
      [{ id: 'r', tools: ['t'], rewrite: [{ op: 'remove_field', field: 'arguments.*.y' }] }],
      [{ name: 't', inputSchema: wide }],
    );
    expect(rewrite[0]?.message).toContain('limits.maxNodes');
  });

  it('handles $ref cycles through every combinator, and references it cannot follow', () => {
    const cycle = {
      $defs: { a: { anyOf: [{ $ref: '#/$defs/b' }, { $ref: '#' }] }, b: { allOf: [{ $ref: '#/$defs/a' }] } },
      $ref: '#/$defs/a',
    };
    expect(fields(cycle, 'arguments.x')).toHaveLength(1);
    expect(fields({ $ref: 'https://example.com/schema.json' }, 'arguments.x')[0]?.message).toContain(
      'which is not under #/$defs or #/definitions',
    );
    expect(fields({ $ref: '#/$defs/missing' }, 'arguments.x')[0]?.message).toContain('points at nothing');
    expect(fields({ $ref: '#/$defs/%E0%A4%A' }, 'arguments.x')[0]?.message).toContain('not a valid JSON pointer');
  });

  it('reads __proto__, constructor and toString as plain property names', () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"object","properties":{"x":{}}},"constructor":{}}}',
    ) as object;
    expect(fields(schema, 'arguments.__proto__.x')).toEqual([]);
    expect(fields(schema, 'arguments.constructor')).toEqual([]);
    expect(fields(schema, 'arguments.toString')).toHaveLength(1);
    expect(fields(schema, 'arguments.__proto__.y')).toHaveLength(1);
    expect(fields({ type: 'object', properties: { a: {} } }, 'arguments.__proto__')).toHaveLength(1);
  });

  it('gives problems, not throws, for non-object schemas, subschemas, tools and getters', () => {
    const tools = [
      { name: 'a', inputSchema: 'not a schema' },
      { name: 'b', inputSchema: { type: 'object', properties: { x: 42, y: null, z: [1] } } },
      {
        name: 'c',
        inputSchema: {
          get properties(): never {
            throw new Error('boom');
          },
        },
      },
      {
        name: 'd',
        inputSchema: new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('trap');
            },
            getOwnPropertyDescriptor: () => {
              throw new Error('trap');
            },
          },
        ),
      },
      null,
      { name: 42 },
    ] as unknown as ToolDescription[];
    const problems = check([reading('arguments.x.y', ['*'])], tools);
    expect(problems.map((problem) => [problem.tool, problem.message.replace(/^.*?, but /, '')])).toEqual([
      ['a', `tool "a" has no inputSchema that is a JSON Schema`],
      ['b', `tool "b"'s inputSchema has no "x" under arguments`],
      ['c', `tool "c"'s inputSchema cannot be followed to arguments.x: reading it threw: boom`],
      ['d', `tool "d"'s inputSchema cannot be followed to arguments.x: reading it threw: trap`],
    ]);
    expect(check([reading('arguments.x')], 'nope' as unknown as ToolDescription[])).toHaveLength(1);
  });

  it('stays total on hostile policy lists, tool lists and options', () => {
    const [policy] = compilePolicies([reading('arguments.path', ['read_file'])], DEFAULT_LIMITS);
    const hostile = [null, { id: 7 }, policy] as unknown as Parameters<typeof checkPoliciesAgainstTools>[0];
    const problems = checkPoliciesAgainstTools(hostile, TOOLS, {
      otherTargets: 'x' as unknown as string[],
      actionKeys: 5 as unknown as string[],
    });
    expect(problems.map((problem) => problem.policyId)).toEqual(['(a policy without an id)', '(a policy without an id)']);
    expect(problems[0]?.message).toContain('could not be checked against the server');
    const trap = Object.defineProperty({}, 'name', {
      get: () => {
        throw new Error('no');
      },
    });
    expect(
      checkPoliciesAgainstTools(compilePolicies([reading('arguments.path', ['read_file'])], DEFAULT_LIMITS), [
        trap,
        readFile,
      ] as ToolDescription[]),
    ).toEqual([]);
    expect(checkPoliciesAgainstTools('nope' as unknown as [], TOOLS)).toEqual([]);
  });

  it('checks thousands of tools and prototype-named tools like any others', () => {
    const many: ToolDescription[] = Array.from({ length: 5_000 }, (_, index) => ({
      name: `tool_${index}`,
      inputSchema: { type: 'object', properties: { [`f${index % 10}`]: {} } },
    }));
    const named = [
      ...many,
      { name: '__proto__', inputSchema: { type: 'object', properties: { f1: {} } } },
      { name: 'constructor', inputSchema: {} },
    ];
    const problems = check([reading('arguments.f1', ['*'])], named);
    expect(problems).toHaveLength(4_500);
    expect(problems.some((problem) => problem.tool === '__proto__' || problem.tool === 'constructor')).toBe(false);
    expect(check([reading('arguments.f1', ['__proto__', 'constructor'])], named)).toEqual([]);
  });

  it('does not suggest from huge names or hang on hostile patternProperties', () => {
    const long = 'k'.repeat(100_000);
    const problems = fields(
      { type: 'object', properties: { [long]: {} }, patternProperties: { '(a+)+$': {}, '[': {} } },
      `arguments.${long}x`,
    );
    expect(problems).toEqual([]);
    const patterns = Object.fromEntries(Array.from({ length: 5_000 }, (_, index) => [`^p${index}(a|b)*c$`, {}]));
    expect(fields({ type: 'object', patternProperties: { ...patterns, ['x'.repeat(20_000)]: {} } }, 'arguments.p1abc')).toEqual([]);
    expect(fields({ type: 'object', patternProperties: { '^p1(a|b)*c$': {} } }, 'arguments.p1abd')).toHaveLength(1);
    const closed = fields({ type: 'object', properties: { [long]: {} } }, 'arguments.k');
    expect(closed[0]?.message).not.toContain('did you mean');
  });
});

describe('checkPoliciesAgainstTools and the SDK', () => {
  it('takes the tools a tools/list result holds as they are', () => {
    const listed: Tool[] = [
      { name: 'read_file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } }, outputSchema: { type: 'object' } },
    ];
    expect(checkPoliciesAgainstTools(compilePolicies([reading('arguments.path', ['read_file'])], DEFAULT_LIMITS), listed)).toEqual([]);
  });
});

describe('checkEngineAgainstTools', () => {
  it("checks an engine's policies under its limits", async () => {
    const engine = await createEngine({ policies: [reading('arguments.pth', ['read_file'])], limits: { maxDepth: 3 } });
    expect(checkEngineAgainstTools(engine, TOOLS).map((problem) => problem.message)).toEqual([
      `policy "p" reads "arguments.pth" (/assert/field), but tool "read_file"'s inputSchema has no "pth" under arguments (did you mean "path"?)`,
    ]);
    let deep: object = { type: 'object', properties: { pth: {} } };
    for (let level = 0; level < 5; level += 1) deep = { allOf: [deep] };
    expect(checkEngineAgainstTools(engine, [{ name: 'read_file', inputSchema: deep }])[0]?.message).toContain('limits.maxDepth (3)');
    expect(checkEngineAgainstTools(engine, [{ name: 'read_file', inputSchema: deep }], { limits: { maxDepth: 10 } })).toEqual([]);
  });
});

describe('formatToolSchemaProblems', () => {
  it('lists the problems, escaping what a server could use to drive a terminal', () => {
    const problems = check(
      [reading('arguments.abcde', ['t*'])],
      [
        { name: 't\u001b[31m\u009b', inputSchema: { type: 'object', properties: {} } },
        { name: 't', inputSchema: { type: 'object', properties: { 'abcde\u009b': {} } } },
      ],
    );
    expect(problems.map((problem) => problem.tool)).toEqual(['t\u001b[31m\u009b', 't']);
    expect(problems[1]?.message).toContain('did you mean "abcde\u009b"');
    const text = formatToolSchemaProblems([...problems, { policyId: 'q', pointer: '', message: 'raw \u001b[2J' }]);
    expect(text.split('\n')[0]).toBe(`3 problems between the policies and the server's tool schemas:`);
    expect(text.includes('\u001b') || text.includes('\u009b')).toBe(false);
  });
});
