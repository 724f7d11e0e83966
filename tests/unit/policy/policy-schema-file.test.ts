import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compareStrictness, createEngine, loadPolicies } from '../../../src/index.js';
import { ROOT } from '../../support/paths.js';

/**
 * The shipped schema (schema/policy.json) as an editor or CI validator uses it:
 * on a whole policy file, which holds one policy or an array of them. Every
 * example policy file must pass it, as written, `$schema` key included.
 */

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/policy.json'), 'utf8')) as object;
// An editor's validator, not tierguard's: default options, strict as ajv is by default.
const validateFile: ValidateFunction = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);

const EXAMPLE_SOURCES = [
  'examples/policies',
  'examples/engines/policies',
  'examples/registry/policies',
  'examples/gateway/policies',
  'examples/config/org',
  'examples/config/payments',
];

function errorsOf(document: unknown): ErrorObject[] {
  return validateFile(document) ? [] : [...(validateFile.errors ?? [])];
}

/** Each document of a policy file as written: one for JSON, one per document for YAML. */
function documentsOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  if (!/\.ya?ml$/.test(file)) return [JSON.parse(text) as unknown];
  return parseAllDocuments(text).map((document) => document.toJS() as unknown);
}

const comparison = { field: 'arguments.amount', op: 'lte', value: 100 } as const;

describe('schema/policy.json describes a policy file', () => {
  it('accepts every example policy file, arrays and single policies alike', async () => {
    let arrays = 0;
    let objects = 0;
    for (const source of EXAMPLE_SOURCES) {
      const { files } = await loadPolicies(join(ROOT, source));
      for (const file of files) {
        for (const document of documentsOf(file)) {
          expect(errorsOf(document), file).toEqual([]);
          if (Array.isArray(document)) arrays += 1;
          else objects += 1;
        }
      }
    }
    expect(arrays).toBeGreaterThan(0);
    expect(objects).toBeGreaterThan(0);
  });

  it('accepts one policy, and an array of policies', () => {
    expect(errorsOf({ id: 'one', assert: comparison })).toEqual([]);
    expect(
      errorsOf([
        { id: 'a', assert: comparison },
        { id: 'b', require: ['arguments.to'] },
      ]),
    ).toEqual([]);
  });

  it('refuses an empty array, an array holding an invalid policy, a bundle and a scalar', () => {
    expect(errorsOf([])).not.toEqual([]);
    const inArray = errorsOf([
      { id: 'a', assert: comparison },
      { id: 'b', asert: comparison },
    ]);
    expect(inArray.some((error) => error.instancePath === '/1' && error.keyword === 'additionalProperties')).toBe(true);
    expect(errorsOf({ tierguardBundle: 1, policies: [] })).not.toEqual([]);
    expect(errorsOf(42)).not.toEqual([]);
    expect(errorsOf([[{ id: 'nested' }]])).not.toEqual([]);
  });

  it('keeps a policy definition one object: createEngine refuses an array in place of a policy', async () => {
    await expect(createEngine({ policies: [[{ id: 'a', assert: comparison }]] as never })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
      message: expect.stringContaining('policy #0 (no valid id) /: must be a object') as unknown,
    });
  });
});

describe('the $schema key', () => {
  const hint = './node_modules/tierguard/schema/policy.json';

  it('is used as the README shows: the example passes the schema and compiles, without the key', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const policies = readme.slice(readme.indexOf('## Policies'));
    const example = JSON.parse(/```json\n(\{\n {2}"\$schema"[\s\S]*?)```/.exec(policies)?.[1] ?? 'null') as Record<string, unknown>;
    expect(example.$schema).toBe(hint);
    expect(errorsOf(example)).toEqual([]);
    const engine = await createEngine({ policies: [example as never] });
    expect(engine.definitions).toEqual([{ id: example.id, assert: example.assert }]);
  });

  it('is accepted and ignored by the loader: not in the definitions, the version or a comparison', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tierguard-schema-key-'));
    const withHint = join(directory, 'with.json');
    const without = join(directory, 'without.json');
    const yaml = join(directory, 'with.yaml');
    writeFileSync(withHint, JSON.stringify({ $schema: hint, id: 'cap', assert: comparison }));
    writeFileSync(without, JSON.stringify({ id: 'cap', assert: comparison }));
    writeFileSync(yaml, `$schema: ${hint}\nid: cap\nassert: { field: arguments.amount, op: lte, value: 100 }\n`);

    const loaded = await loadPolicies(withHint);
    expect(loaded.definitions).toEqual([{ id: 'cap', assert: comparison }]);
    expect((await loadPolicies(yaml)).definitions).toEqual([{ id: 'cap', assert: comparison }]);
    const plain = await createEngine({ policies: (await loadPolicies(without)).definitions });
    expect((await createEngine({ policies: loaded.definitions })).version).toBe(plain.version);
  });

  it('is ignored by createEngine when definitions come straight from JSON', async () => {
    const plain = await createEngine({ policies: [{ id: 'cap', assert: comparison }] });
    const hinted = await createEngine({ policies: [{ $schema: hint, id: 'cap', assert: comparison } as never] });
    expect(hinted.version).toBe(plain.version);
    expect(hinted.definitions).toEqual(plain.definitions);
    expect(hinted.evaluateAuto({ tool: 't', arguments: { amount: 500 } }).verdict).toBe('deny');
  });

  it('is neutral when two sources hold the same rule, as a description is', () => {
    const higher = { $schema: hint, id: 'cap', assert: comparison };
    for (const lower of [
      { id: 'cap', assert: comparison },
      { ...higher, $schema: '../schema/policy.json' },
    ]) {
      expect(compareStrictness(higher, lower)).toEqual({ relation: 'refines', reasons: [] });
    }
  });

  it('must still be a string, as the schema says', async () => {
    await expect(createEngine({ policies: [{ $schema: 5, id: 'cap', assert: comparison } as never] })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
      message: 'policy "cap" /$schema: must be a string (got 5)',
    });
  });
});
