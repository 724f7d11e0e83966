import { describe, expect, it } from 'vitest';
import { readEnumOption } from '../../../../src/engines/binding/enum-option.js';
import type { EngineBinding } from '../../../../src/engines/types.js';

const LEVELS = ['error', 'warning', 'note'] as const;
const binding = (options?: EngineBinding['options']): EngineBinding => ({
  engine: 'semgrep',
  policy: 'rules.yaml',
  policyId: 'p',
  ...(options === undefined ? {} : { options }),
});

describe('readEnumOption', () => {
  it('reads an allowed value, and takes the fallback when the option is absent', () => {
    expect(readEnumOption('semgrep', binding({ minLevel: 'warning' }), 'minLevel', LEVELS, 'note')).toEqual({ ok: true, value: 'warning' });
    expect(readEnumOption('semgrep', binding(), 'minLevel', LEVELS, 'note')).toEqual({ ok: true, value: 'note' });
    expect(readEnumOption('semgrep', binding(), 'minLevel', LEVELS, undefined)).toEqual({ ok: true, value: undefined });
    // JSON null is read as absent, as the adapters always have.
    expect(readEnumOption('semgrep', binding({ minLevel: null }), 'minLevel', LEVELS, 'note')).toEqual({ ok: true, value: 'note' });
  });

  it('refuses anything else, naming the adapter, the option and the allowed values', () => {
    const refused = {
      ok: false,
      error: { code: 'INVALID_BINDING', message: 'semgrep option minLevel must be one of error, warning, note' },
    };
    for (const value of ['fatal', 3, ['error']]) {
      expect(readEnumOption('semgrep', binding({ minLevel: value }), 'minLevel', LEVELS, 'note')).toEqual(refused);
    }
    // A fallback from unchecked adapter options is held to the same rule.
    expect(readEnumOption('semgrep', binding(), 'minLevel', LEVELS, 'fatal' as 'note')).toEqual(refused);
  });

  it('reads own options only', () => {
    const inherited = Object.create({ minLevel: 'fatal' }) as Record<string, never>;
    expect(readEnumOption('semgrep', binding(inherited), 'minLevel', LEVELS, 'note')).toEqual({ ok: true, value: 'note' });
  });
});
