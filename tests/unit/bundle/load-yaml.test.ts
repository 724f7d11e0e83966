import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, loadPolicies } from '../../../src/index.js';
import { makeTree, rejectionOf, removeTrees } from './support.js';

afterEach(removeTrees);

/** The IO_ERROR loading one YAML file with `content` throws. */
async function yamlError(content: string, name = 'policy.yaml') {
  const root = await makeTree({ [name]: content });
  const error = await rejectionOf(loadPolicies(join(root, name)));
  return { error, file: join(root, name) };
}

describe('loadPolicies with YAML', () => {
  it('reads one policy, an array of policies, and several documents, beside JSON in sorted order', async () => {
    const root = await makeTree({
      'a-single.yaml': [
        '# one policy',
        'id: payments.limit',
        'tools: ["payments.*"]',
        'assert:',
        '  field: arguments.amount',
        '  op: lte',
        '  value: 5000',
        '',
      ].join('\n'),
      'b-list.yml': '- id: b1\n  effect: escalate\n- id: b2\n  require: [arguments.reason]\n',
      'c-documents.yaml': '---\nid: c1\n---\n- id: c2\n- id: c3\n---\n# an empty document is skipped\n...\n---\nid: c4\n',
      'd.json': '{"id": "d"}',
    });
    const loaded = await loadPolicies(root);
    expect(loaded.definitions).toEqual([
      { id: 'payments.limit', tools: ['payments.*'], assert: { field: 'arguments.amount', op: 'lte', value: 5000 } },
      { id: 'b1', effect: 'escalate' },
      { id: 'b2', require: ['arguments.reason'] },
      { id: 'c1' },
      { id: 'c2' },
      { id: 'c3' },
      { id: 'c4' },
      { id: 'd' },
    ]);
    expect(loaded.sources).toEqual([
      join(root, 'a-single.yaml'),
      join(root, 'b-list.yml'),
      join(root, 'b-list.yml'),
      ...Array<string>(4).fill(join(root, 'c-documents.yaml')),
      join(root, 'd.json'),
    ]);
    expect(loaded.files).toEqual(['a-single.yaml', 'b-list.yml', 'c-documents.yaml', 'd.json'].map((name) => join(root, name)));
    const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
    expect(engine.evaluateAuto({ tool: 'payments.transfer', arguments: { amount: 9000 } }).verdict).toBe('deny');
  });

  it('reads scalars by the YAML 1.2 core schema: an unquoted date, yes and 0x10 are what JSON would make of them', async () => {
    const root = await makeTree({
      'p.yaml': 'id: p\nassert: { field: context.day, op: eq, value: 2024-01-01 }\ndescription: yes\nx: 0x10\nn: ~\n',
      'old.yaml': '%YAML 1.1\n---\nid: old\nvalue: 2024-01-01\nflag: yes\n',
    });
    const loaded = await loadPolicies(root);
    expect(loaded.definitions).toEqual([
      { id: 'old', value: '2024-01-01', flag: 'yes' },
      { id: 'p', assert: { field: 'context.day', op: 'eq', value: '2024-01-01' }, description: 'yes', x: 16, n: null },
    ]);
  });

  it('reports a syntax error as IO_ERROR with the file, line and column', async () => {
    const { error, file } = await yamlError('id: p\nassert:\n  field: a\n  op: [eq, neq\nvalue: 1\n');
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ file, line: expect.any(Number) as number, column: expect.any(Number) as number });
    const { line, column } = error.details as { line: number; column: number };
    expect(line).toBeGreaterThanOrEqual(4);
    expect(error.message).toContain(`${file}:${line}:${column}: not valid YAML: `);
  });

  it('refuses a duplicate key, pointing at the second one', async () => {
    const { error, file } = await yamlError('id: p\ntools: [a]\nid: q\n');
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ file, line: 3, column: 1, key: 'id', pointer: '/id' });
    expect(error.message).toMatch(/policy\.yaml:3:1: not valid YAML: duplicate key "id" at \/id \(Map keys must be unique\)/);
  });

  it('names a nested duplicate key with its pointer through sequences and maps', async () => {
    const { error } = await yamlError('- id: p\n  tools: [a]\n- id: q\n  assert: { field: a, op: exists, field: b }\n');
    expect(error.details).toMatchObject({ line: 4, column: 35, key: 'field', pointer: '/1/assert/field' });
  });

  it('refuses tags: a timestamp, binary, a set, a custom tag, a js function', async () => {
    for (const [value, column] of [
      ['!!timestamp 2024-01-01', 8],
      ['!!binary aGVsbG8=', 8],
      ['!!set { a, b }', 8],
      ['!acme bar', 8],
      ['!!js/function "function () {}"', 8],
    ] as const) {
      const { error, file } = await yamlError(`id: p\nvalue: ${value}\n`);
      expect(error.code, value).toBe('IO_ERROR');
      expect(error.details, value).toMatchObject({ file, line: 2, column });
      expect(error.message, value).toMatch(/Unresolved tag/);
    }
  });

  it('refuses values JSON cannot hold (.nan, .inf), naming the pointer', async () => {
    const nan = await yamlError('id: p\nassert: { field: a, op: eq, value: .nan }\n');
    expect(nan.error.code).toBe('IO_ERROR');
    expect(nan.error.message).toContain('/assert/value is NaN, which JSON cannot hold');
    const inf = await yamlError('- id: p\n  value: -.inf\n');
    expect(inf.error.message).toContain('/0/value is -Infinity');
  });

  it('passes an explicit null document on, like JSON null, for createEngine to report', async () => {
    const root = await makeTree({ 'p.yaml': 'id: a\n--- ~\n' });
    const loaded = await loadPolicies(join(root, 'p.yaml'));
    expect(loaded.definitions).toEqual([{ id: 'a' }, null]);
    expect((await rejectionOf(createEngine({ policies: loaded.definitions }))).code).toBe('INVALID_POLICY');
  });

  it('reports an alias with no anchor at its line and column', async () => {
    const { error, file } = await yamlError('- id: a\n- id: b\n  when: *missing\n');
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ file, line: 3, column: 9 });
    expect(error.message).toContain('alias *missing has no anchor &missing before it');
  });

  it('refuses non-string keys', async () => {
    const { error } = await yamlError('id: p\n? [a, b]\n: c\n');
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ line: 2 });
  });

  it('refuses an alias bomb instead of expanding it', async () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array<string>(9).fill(`*${previous}`).join(', ')}]`);
    }
    // 9^9 (387 million) strings if expanded.
    const { error, file } = await yamlError(`id: p\n${levels.join('\n')}\n`);
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ file });
    expect(error.message).toMatch(/alias.*at most 100 alias expansions/i);
  });

  it('still reads a few aliases, as plain copies', async () => {
    const root = await makeTree({
      'p.yaml': '- id: a\n  when: &big { field: arguments.amount, op: gt, value: 100 }\n- id: b\n  when: *big\n',
    });
    const loaded = await loadPolicies(join(root, 'p.yaml'));
    expect(loaded.definitions[1]).toEqual({ id: 'b', when: { field: 'arguments.amount', op: 'gt', value: 100 } });
  });

  it('refuses nesting deeper than limits.maxDepth before composing it, however it is written', async () => {
    const indented = Array.from({ length: 200 }, (_, level) => `${' '.repeat(level)}a:`).join('\n');
    for (const [content, line] of [
      ['['.repeat(1_000_000), 1],
      [`id: p\nx: ${'- '.repeat(500_000)}x\n`, 2],
      [`${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}`, 1],
      [`${indented} 1\n`, 66],
    ] as const) {
      const { error } = await yamlError(content);
      expect(error.code).toBe('IO_ERROR');
      expect(error.details).toMatchObject({ limit: 'maxDepth', line });
      expect(error.message).toMatch(/nested deeper than limits\.maxDepth \(64\)/);
    }
    // Nesting within the limit, as deep as a definition may be, is read.
    const root = await makeTree({ 'p.yaml': `${'['.repeat(65)}1${']'.repeat(65)}` });
    await expect(loadPolicies(join(root, 'p.yaml'))).resolves.toBeDefined();
    const limited = await rejectionOf(loadPolicies(join(root, 'p.yaml'), { maxDepth: 10 }));
    expect(limited.message).toMatch(/maxDepth \(10\)/);
  });

  it('refuses a YAML file with more tokens than a policy file needs, before building its tree', async () => {
    const { error } = await yamlError('- a\n'.repeat(100_000));
    expect(error.code).toBe('IO_ERROR');
    expect(error.details).toMatchObject({ limit: 'tokens' });
    expect(error.message).toMatch(/more than 250000 YAML tokens/);
  });

  it('refuses nesting that aliases would build deeper than limits.maxDepth', async () => {
    // Each anchor nests the previous one 20 levels deeper: shallow as written, 100 levels once expanded.
    const lines = ['a0: &a0 1'];
    for (let level = 1; level <= 5; level += 1) lines.push(`a${level}: &a${level} ${'['.repeat(20)}*a${level - 1}${']'.repeat(20)}`);
    const { error } = await yamlError(`${lines.join('\n')}\n`);
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toMatch(/nested deeper than limits\.maxDepth/);
  });

  it('bounds a YAML file by limits.maxFileBytes like JSON', async () => {
    const root = await makeTree({ 'big.yaml': `id: p\ndescription: ${'x'.repeat(500)}\n` });
    const error = await rejectionOf(loadPolicies(join(root, 'big.yaml'), { maxFileBytes: 100 }));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toMatch(/big\.yaml: .*exceeds limits\.maxFileBytes \(100\)/);
  });
});
