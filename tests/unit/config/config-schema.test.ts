import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load-config.js';
import { createEngine } from '../../../src/engine.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { ROOT } from '../../support/paths.js';

/** schema/config.json says what parseConfig accepts: the shipped example passes both, and their keys agree. */

interface SchemaNode {
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
}

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'config.json'), 'utf8')) as SchemaNode;
const EXAMPLE = join(ROOT, 'examples', 'config', 'tierguard.config.yaml');

const keys = (node: SchemaNode | undefined): string[] => Object.keys(node?.properties ?? {});

describe('schema/config.json', () => {
  it('accepts the shipped example, which loads and tightens the organisation cap', async () => {
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(parse(readFileSync(EXAMPLE, 'utf8')))).toBe(true);
    const config = await loadConfig(EXAMPLE);
    expect(config.conflicts).toEqual([]);
    expect(config.loaded.definitions.map((definition) => definition.id)).toEqual(['payments/transfer-cap']);
    const engine = await createEngine(config.engineOptions);
    expect((await engine.evaluate({ tool: 'payments.transfer', arguments: { amount: 5000 } })).verdict).toBe('deny');
  });

  it('lists the keys parseConfig allows, level by level', () => {
    expect(keys(schema)).toEqual(['$schema', 'sources', 'engines', 'adapters', 'options']);
    expect(keys(schema.properties?.sources?.items)).toEqual(['name', 'path', 'precedence', 'namespace']);
    expect(keys(schema.properties?.engines)).toEqual(['opa', 'conftest', 'checkov', 'semgrep']);
    expect(keys(schema.properties?.adapters?.items)).toEqual(['name', 'module', 'export', 'options']);
    expect(keys(schema.properties?.options)).toEqual(['mode', 'onError', 'strict', 'allowEmpty', 'limits']);
    expect(keys(schema.properties?.options?.properties?.limits)).toEqual(Object.keys(DEFAULT_LIMITS));
  });
});
