import { describe, expect, it } from 'vitest';
import { commandOption, environmentOption, limitsOption, readAdapterOptions } from '../../../src/engines/adapter-options.js';
import { createCheckovAdapter } from '../../../src/engines/checkov/index.js';
import { createConftestAdapter } from '../../../src/engines/conftest/index.js';
import { createOpaCliAdapter, createOpaServerAdapter, createOpaWasmAdapter } from '../../../src/engines/opa/index.js';
import { createSemgrepAdapter } from '../../../src/engines/semgrep/index.js';
import type { EngineAdapter } from '../../../src/engines/types.js';
import { DEFAULT_ENGINE_LIMITS } from '../../../src/limits.js';

const SERVER_URL = 'http://127.0.0.1:1';

/** Every factory, with the options it needs to be made at all, so one mistake is added at a time. */
const FACTORIES: readonly { readonly name: string; readonly make: (options: unknown) => EngineAdapter; readonly base: object }[] = [
  { name: 'createOpaCliAdapter', make: (options) => createOpaCliAdapter(options as never), base: {} },
  { name: 'createOpaServerAdapter', make: (options) => createOpaServerAdapter(options as never), base: { url: SERVER_URL } },
  { name: 'createOpaWasmAdapter', make: (options) => createOpaWasmAdapter(options as never), base: {} },
  { name: 'createConftestAdapter', make: (options) => createConftestAdapter(options as never), base: {} },
  { name: 'createCheckovAdapter', make: (options) => createCheckovAdapter(options as never), base: {} },
  { name: 'createSemgrepAdapter', make: (options) => createSemgrepAdapter(options as never), base: {} },
];

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('adapter factory options', () => {
  it('are checked alike by every factory: an object with known keys only', () => {
    for (const { name, make, base } of FACTORIES) {
      expect(make(base).name, name).toMatch(/^(opa|conftest|checkov|semgrep)$/);
      expect(
        thrownBy(() => make([])),
        name,
      ).toMatchObject({ code: 'INVALID_OPTIONS', message: `${name} options must be an object` });
      expect(
        thrownBy(() => make(null)),
        name,
      ).toMatchObject({ code: 'INVALID_OPTIONS', message: `${name} options must be an object` });
      const misspelt = thrownBy(() => make({ ...base, timeoutMs: 5 }));
      expect(misspelt, name).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'timeoutMs' } });
      expect((misspelt as Error).message, name).toMatch(new RegExp(`^unknown ${name} option "timeoutMs" \\(known: .*limits`));
      expect(
        thrownBy(() => make({ ...base, limits: 'fast' })),
        name,
      ).toMatchObject({ code: 'INVALID_OPTIONS', message: 'limits must be an object' });
      expect(
        thrownBy(() => make({ ...base, limits: { timeoutMs: 0 } })),
        name,
      ).toMatchObject({ details: { option: 'limits.timeoutMs' } });
    }
  });

  it('refuses a bad executable name or environment in every adapter that runs a program', () => {
    for (const { name, make, base } of FACTORIES.filter((factory) => factory.name !== 'createOpaServerAdapter')) {
      for (const command of ['', '  ', 'opa\0x', 7]) {
        expect(
          thrownBy(() => make({ ...base, command })),
          name,
        ).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'command' } });
      }
      expect(
        thrownBy(() => make({ ...base, env: 'PATH=/bin' })),
        name,
      ).toMatchObject({ message: 'env must be an object of environment variables' });
      expect(
        thrownBy(() => make({ ...base, env: { PORT: 8080 } })),
        name,
      ).toMatchObject({ message: 'env.PORT must be a string', details: { option: 'env.PORT' } });
      expect(make({ ...base, command: 'tierguard-no-such-engine', env: { PATH: '/nowhere', UNSET: undefined } }).name, name).toBeTypeOf(
        'string',
      );
    }
  });

  it('refuses an adapter-wide minLevel that is not a SARIF level when the adapter is made, not at each evaluation', () => {
    expect(thrownBy(() => createSemgrepAdapter({ minLevel: 'fatal' as never }))).toMatchObject({
      code: 'INVALID_OPTIONS',
      message: 'minLevel must be one of error, warning, note',
    });
    expect(thrownBy(() => createCheckovAdapter({ minLevel: 'fatal' as never }))).toMatchObject({
      code: 'INVALID_OPTIONS',
      message: 'minLevel must be one of error, warning, note',
    });
  });

  it('refuses the options only some factories take when they are malformed', () => {
    expect(thrownBy(() => createOpaServerAdapter({ url: SERVER_URL, uploadPolicies: 'no' as never }))).toMatchObject({
      message: 'uploadPolicies must be a boolean',
    });
    expect(thrownBy(() => createOpaServerAdapter({ url: SERVER_URL, token: 'a\nb' }))).toMatchObject({
      message: 'token must be a string on one line',
      details: { option: 'token' },
    });
    expect(thrownBy(() => createOpaServerAdapter(undefined as never))).toMatchObject({ details: { option: 'url' } });
    for (const maxMemoryBytes of [Number.NaN, 0, -1, 1.5, '1024']) {
      expect(thrownBy(() => createOpaWasmAdapter({ maxMemoryBytes: maxMemoryBytes as number }))).toMatchObject({
        message: 'maxMemoryBytes must be a positive integer',
      });
    }
  });
});

describe('readAdapterOptions', () => {
  const TABLE = { command: commandOption('tool'), env: environmentOption(), limits: limitsOption({ timeoutMs: 120_000 }) };

  it('gives each key its default when absent, and lays the adapter defaults under the caller limits', () => {
    const read = readAdapterOptions('createToolAdapter', undefined, TABLE);
    expect(read).toEqual({ command: 'tool', env: process.env, limits: { ...DEFAULT_ENGINE_LIMITS, timeoutMs: 120_000 } });
    expect(readAdapterOptions('createToolAdapter', { limits: { maxStdoutBytes: 10 } }, TABLE).limits).toEqual({
      ...DEFAULT_ENGINE_LIMITS,
      timeoutMs: 120_000,
      maxStdoutBytes: 10,
    });
    expect(readAdapterOptions('createToolAdapter', { limits: { timeoutMs: 5 } }, TABLE).limits.timeoutMs).toBe(5);
  });

  it('reads own keys only', () => {
    const inherited = Object.create({ command: '' }) as object;
    expect(readAdapterOptions('createToolAdapter', inherited, TABLE).command).toBe('tool');
  });
});
