import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { createEngine } from '../../../src/engine.js';
import { isTierguardError } from '../../../src/errors.js';
import type { TierguardError } from '../../../src/errors.js';

let root = '';

function write(path: string, content: unknown): string {
  const file = join(root, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const cap = (id: string, value: number, extra: Record<string, unknown> = {}) => ({
  id,
  tools: ['payments.transfer'],
  assert: { field: 'arguments.amount', op: 'lte', value },
  ...extra,
});

const CONFIG = `sources:
  - name: org
    path: policies/org
    precedence: 100
  - name: team
    path: policies/team
    precedence: 50
    namespace: payments-team
`;

async function rejection(promise: Promise<unknown>): Promise<TierguardError> {
  try {
    await promise;
  } catch (error) {
    if (isTierguardError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tierguard-config-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('namespaces ids by source and lets the lower source tighten a rule', async () => {
    write('policies/org/caps.json', [cap('cap', 1000), cap('other', 5)]);
    write('policies/team/caps.yaml', 'id: cap\ntools: [payments.transfer]\nassert: { field: arguments.amount, op: lte, value: 500 }\n');
    const config = await loadConfig(write('tierguard.config.yaml', CONFIG));
    expect(config.loaded.definitions.map((definition) => definition.id)).toEqual(['org/other', 'payments-team/cap']);
    expect(config.conflicts).toEqual([]);
    expect(config.replacements.map((replacement) => [replacement.replaced.id, replacement.by.id])).toEqual([
      ['org/cap', 'payments-team/cap'],
    ]);
    const engine = await createEngine(config.engineOptions);
    const decision = await engine.evaluate({ tool: 'payments.transfer', arguments: { amount: 700 } });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => violation.policyId)).toContain('payments-team/cap');
  });

  it('reports a weaker lower definition, keeps the higher in force and does not serve the lower', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/caps.json', cap('cap', 5000));
    const config = await loadConfig(write('tierguard.config.yaml', CONFIG));
    expect(config.loaded.definitions.map((definition) => definition.id)).toEqual(['org/cap']);
    expect(config.conflicts).toHaveLength(1);
    expect(config.conflicts[0]).toMatchObject({
      kind: 'weaker',
      higher: { id: 'org/cap', file: join(root, 'policies/org/caps.json') },
      lower: { id: 'payments-team/cap', file: join(root, 'policies/team/caps.json') },
    });
    const engine = await createEngine(config.engineOptions);
    expect((await engine.evaluate({ tool: 'payments.transfer', arguments: { amount: 2000 } })).verdict).toBe('deny');
  });

  it('fails the load on a conflict under strict, from the file or from the option', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/caps.json', cap('cap', 5000, { effect: 'warn' }));
    const strictFile = write('strict.config.yaml', `${CONFIG}options:\n  strict: true\n`);
    const plainFile = write('tierguard.config.yaml', CONFIG);
    // Each load starts only when the one before has been awaited: a second rejection made early would be unhandled meanwhile.
    for (const attempt of [() => loadConfig(strictFile), () => loadConfig(plainFile, { strict: true })]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('INVALID_POLICY');
      expect(error.message).toMatch(/1 precedence conflict \(strict\):\npayments-team\/cap .*may relax org\/cap/);
      expect(error.message).toMatch(/severity hard became soft/);
    }
  });

  it('passes mode, onError and limits to the engine', async () => {
    write('policies/org/caps.json', cap('cap', 1));
    write('policies/team/other.json', cap('other', 1));
    const config = await loadConfig(write('c.yaml', `${CONFIG}options:\n  mode: monitor\n  onError: allow\n  limits: { maxDepth: 20 }\n`));
    const engine = await createEngine(config.engineOptions);
    expect(engine.mode).toBe('monitor');
    expect(engine.limits.maxDepth).toBe(20);
    expect(config.engineOptions.onError).toBe('allow');
  });

  it('refuses a config file with a duplicate key, naming the key and line', async () => {
    const error = await rejection(loadConfig(write('c.yaml', `${CONFIG}options: {}\noptions: {}\n`)));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toMatch(/duplicate key "options"/);
  });

  it('refuses a file that is not .yaml, .yml or .json', async () => {
    const error = await rejection(loadConfig(write('c.toml', 'x')));
    expect(error.message).toMatch(/a config file is \.yaml, \.yml or \.json/);
  });
});

describe('loadConfig adapters', () => {
  const ADAPTER = `export function createCustom(options) {
  return { name: options?.name ?? 'custom', available: async () => ({ available: true }), evaluate: async () => ({ verdict: 'pass', findings: [] }) };
}
export const ready = { name: 'ready', available: async () => ({ available: true }), evaluate: async () => ({ verdict: 'pass', findings: [] }) };
export const notAnAdapter = 42;
`;

  beforeEach(() => {
    write('policies/org/caps.json', cap('cap', 1));
    write('adapters/custom.mjs', ADAPTER);
  });

  const configWith = (adapters: string) => write('c.yaml', `sources:\n  - { name: org, path: policies/org, precedence: 1 }\n${adapters}`);

  it('loads a factory (called with its options) and an adapter object, and configures built-in engines', async () => {
    const config = await loadConfig(
      configWith(
        'engines:\n  semgrep: { command: semgrep }\nadapters:\n  - { name: custom, module: adapters/custom.mjs, export: createCustom }\n  - { name: ready, module: ./adapters/custom.mjs, export: ready }\n',
      ),
    );
    expect(config.engineOptions.adapters?.map((adapter) => adapter.name)).toEqual(['semgrep', 'custom', 'ready']);
    await createEngine(config.engineOptions);
  });

  it.each([
    ['engines:\n  opa: { comand: opa }\n', '/engines/opa', /unknown createOpaCliAdapter option "comand"/],
    ['adapters:\n  - { name: custom, module: adapters/missing.mjs }\n', '/adapters/0/module', /cannot load the adapter module/],
    [
      'adapters:\n  - { name: custom, module: adapters/custom.mjs, export: absent }\n',
      '/adapters/0/export',
      /has no export "absent" \(it exports: createCustom, notAnAdapter, ready\)/,
    ],
    [
      'adapters:\n  - { name: custom, module: adapters/custom.mjs, export: notAnAdapter }\n',
      '/adapters/0/export',
      /is not an engine adapter/,
    ],
    ['adapters:\n  - { name: other, module: adapters/custom.mjs, export: ready }\n', '/adapters/0/name', /is named "ready", not "other"/],
  ])('refuses %j', async (adapters, pointer, message) => {
    const error = await rejection(loadConfig(configWith(adapters)));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.details.pointer).toBe(pointer);
    expect(error.message).toMatch(message);
  });
});

describe('loadConfig isolation of invalid policies', () => {
  it('drops an invalid soft policy, reported with its file and pointer, and serves the rest', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    const bad = write('policies/team/bad.json', [{ id: 'typo', severity: 'soft', effect: 'warn', asert: {} }, cap('fine', 1)]);
    const config = await loadConfig(write('tierguard.config.yaml', CONFIG));
    expect(config.loaded.definitions.map((definition) => definition.id)).toEqual(['org/cap', 'payments-team/fine']);
    expect(config.dropped).toHaveLength(1);
    expect(config.dropped[0]).toMatchObject({ policy: 'policy "payments-team/typo"', file: bad });
    expect(config.dropped[0]?.pointers.length).toBeGreaterThan(0);
  });

  it.each([
    ['hard', { severity: 'hard' }],
    ['deny', { effect: 'deny' }],
    ['escalate', { effect: 'escalate' }],
    ['the default effect', {}],
    ['an unreadable severity', { severity: 'sfot', effect: 'warn' }],
    ['soft with deny', { severity: 'soft', effect: 'deny' }],
  ])('fails the load on an invalid policy that is or may be hard: %s', async (_name, weight) => {
    write('policies/org/caps.json', cap('cap', 1000));
    const bad = write('policies/team/bad.json', { id: 'typo', tools: ['x'], asert: {}, ...weight });
    const error = await rejection(loadConfig(write('tierguard.config.yaml', CONFIG)));
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain(bad);
    expect(error.message).toMatch(/leaving it out would relax the set/);
  });

  it('under strict, an invalid soft policy fails the whole load', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/bad.json', { id: 'typo', effect: 'warn', asert: {} });
    const error = await rejection(loadConfig(write('tierguard.config.yaml', CONFIG), { strict: true }));
    expect(error.code).toBe('INVALID_POLICY');
  });

  it('fails the load on a file that does not parse', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/broken.json', '{ "id": ');
    const error = await rejection(loadConfig(write('tierguard.config.yaml', CONFIG)));
    expect(error.code).toBe('IO_ERROR');
  });
});

describe('LoadedConfig.watch', () => {
  it('merges on every reload: a weaker edit is reported and the higher stays in force', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/caps.json', cap('cap', 500));
    const config = await loadConfig(write('tierguard.config.yaml', CONFIG));
    const reports: number[] = [];
    const watcher = await config.watch({
      intervalMs: 60_000,
      settleMs: 0,
      onPrepared: (prepared) => reports.push(prepared.conflicts.length),
    });
    try {
      expect(watcher.engine.policyIds).toEqual(['payments-team/cap']);
      write('policies/team/caps.json', cap('cap', 5000));
      const engine = await watcher.reload();
      expect(engine.policyIds).toEqual(['org/cap']);
      expect(reports.at(-1)).toBe(1);
    } finally {
      watcher.close();
    }
  });

  it('under strict, a reload with a conflict fails and the last good engine keeps serving', async () => {
    write('policies/org/caps.json', cap('cap', 1000));
    write('policies/team/caps.json', cap('cap', 500));
    const config = await loadConfig(write('tierguard.config.yaml', CONFIG), { strict: true });
    const errors: string[] = [];
    const watcher = await config.watch({ intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error.message) });
    try {
      write('policies/team/caps.json', cap('cap', 5000));
      const engine = await watcher.reload();
      expect(engine.policyIds).toEqual(['payments-team/cap']);
      expect(errors[0]).toMatch(/precedence conflict/);
    } finally {
      watcher.close();
    }
  });
});
