import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { isTierguardError } from '../../../src/errors.js';

const FILE = join('conf', 'tierguard.config.yaml');
const folder = resolve('conf');
const minimal = { sources: [{ name: 'org', path: 'policies/org', precedence: 100 }] };

function failure(value: unknown): { message: string; pointer: unknown } {
  try {
    parseConfig(value, FILE);
  } catch (error) {
    if (!isTierguardError(error, 'INVALID_OPTIONS')) throw error;
    return { message: error.message, pointer: error.details.pointer };
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('resolves paths against the config file and defaults namespace, export and options', () => {
    const config = parseConfig(
      {
        ...minimal,
        engines: { opa: { command: './bin/opa' }, semgrep: { command: 'semgrep' } },
        adapters: [{ name: 'custom', module: 'adapters/custom.mjs' }],
      },
      FILE,
    );
    expect(config.sources).toEqual([{ name: 'org', path: join(folder, 'policies/org'), precedence: 100, namespace: 'org' }]);
    expect(config.engines).toEqual({ opa: { command: join(folder, 'bin/opa') }, semgrep: { command: 'semgrep' } });
    expect(config.adapters).toEqual([{ name: 'custom', module: join(folder, 'adapters/custom.mjs'), export: 'default' }]);
    expect(config.options).toEqual({ strict: false, allowEmpty: false });
  });

  it('reads every option', () => {
    const config = parseConfig(
      { ...minimal, options: { mode: 'monitor', onError: 'throw', strict: true, allowEmpty: true, limits: { maxDepth: 10 } } },
      FILE,
    );
    expect(config.options).toEqual({ mode: 'monitor', onError: 'throw', strict: true, allowEmpty: true, limits: { maxDepth: 10 } });
  });

  it.each([
    [
      { ...minimal, sourcez: [] },
      '/sourcez',
      /unknown key "sourcez" \(did you mean "sources"\? allowed: \$schema, sources, engines, adapters, options\)/,
    ],
    [{ sources: [{ name: 'a', path: 'p', precdence: 1 }] }, '/sources/0/precdence', /did you mean "precedence"/],
    [{ ...minimal, engines: { opaa: {} } }, '/engines/opaa', /did you mean "opa"\?.*allowed: opa, conftest, checkov, semgrep/],
    [{ ...minimal, adapters: [{ name: 'x', module: 'm.mjs', exprt: 'y' }] }, '/adapters/0/exprt', /did you mean "export"/],
    [{ ...minimal, options: { stict: true } }, '/options/stict', /did you mean "strict"/],
    [{ ...minimal, options: { limits: { maxDepht: 3 } } }, '/options/limits/maxDepht', /did you mean "maxDepth"/],
    [{ ...minimal, options: { mode: 'monitr' } }, '/options/mode', /enforce, monitor \(did you mean "monitor"\?\)/],
    [{ ...minimal, options: { onError: 'x' } }, '/options/onError', /deny, allow, throw/],
    [{ ...minimal, options: { strict: 'yes' } }, '/options/strict', /true or false/],
    [{ ...minimal, options: { limits: { maxDepth: 0 } } }, '/options/limits/maxDepth', /positive integer/],
    [{}, '', /sources is required/],
    [{ sources: [] }, '/sources', /non-empty list/],
    [{ sources: [{ name: 'a', path: 'p' }] }, '/sources/0/precedence', /integer/],
    [{ sources: [{ name: 'a', path: 'p', precedence: 1.5 }] }, '/sources/0/precedence', /integer/],
    [{ sources: [{ name: '', path: 'p', precedence: 1 }] }, '/sources/0/name', /non-empty string/],
    [{ sources: [{ name: 'a', precedence: 1 }] }, '/sources/0/path', /non-empty string/],
    [{ sources: ['p'] }, '/sources/0', /must be an object/],
    [
      {
        sources: [
          { name: 'a', path: 'p', precedence: 1 },
          { name: 'a', path: 'q', precedence: 2 },
        ],
      },
      '/sources/1/name',
      /also the name of \/sources\/0/,
    ],
    [
      {
        sources: [
          { name: 'a', path: 'p', precedence: 1 },
          { name: 'b', path: 'p/inner', precedence: 2 },
        ],
      },
      '/sources/1/path',
      /overlaps \/sources\/0/,
    ],
    [{ ...minimal, adapters: [{ name: 'opa', module: 'm.mjs' }], engines: { opa: {} } }, '/adapters/0/name', /already configured/],
    [{ ...minimal, adapters: {} }, '/adapters', /must be a list/],
    [{ ...minimal, engines: { opa: 'x' } }, '/engines/opa', /must be an object/],
    [[], '', /must be an object/],
    [null, '', /must be an object/],
  ])('refuses %j at %s', (value, pointer, message) => {
    const { message: text, pointer: at } = failure(value);
    expect(at).toBe(pointer);
    expect(text.startsWith(`${FILE}: ${pointer || '/'}: `)).toBe(true);
    expect(text).toMatch(message);
  });
});
