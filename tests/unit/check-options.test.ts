import { describe, expect, it } from 'vitest';
import { rejectUnknownOptions, requireOptionsObject } from '../../src/check-options.js';

describe('requireOptionsObject', () => {
  it.each([null, 1, 'x', [], undefined])('refuses %j, naming the function', (options) => {
    expect(() => requireOptionsObject(options, 'watchPolicies')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: 'watchPolicies options must be an object' }),
    );
  });

  it('accepts a plain object', () => {
    expect(() => requireOptionsObject({}, 'watchPolicies')).not.toThrow();
  });
});

describe('rejectUnknownOptions', () => {
  const known = new Set(['intervalMs', 'sighup']);

  it('names the first unknown key and lists the known ones', () => {
    expect(() => rejectUnknownOptions({ intervalMs: 5, intervalMS: 5 }, known)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: 'unknown option "intervalMS" (known: intervalMs, sighup)',
        details: { option: 'intervalMS' },
      }),
    );
  });

  it('says what the keys are when told', () => {
    expect(() => rejectUnknownOptions({ x: 1 }, known, 'validate option')).toThrow('unknown validate option "x"');
  });

  it('reads own keys only: inherited members are neither known nor unknown', () => {
    expect(() => rejectUnknownOptions(Object.create({ stray: 1 }) as object, known)).not.toThrow();
    expect(() => rejectUnknownOptions(JSON.parse('{"__proto__": 1}') as object, known)).toThrow('unknown option "__proto__"');
    expect(() => rejectUnknownOptions({ sighup: true }, known)).not.toThrow();
  });
});
