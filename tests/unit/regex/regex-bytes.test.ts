import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compileRegex } from '../../../src/regex/regex-engine.js';

/**
 * compileRegex hands RE2 the input as UTF-8 bytes (Buffer.from) rather than as
 * the string: the answer must be the one RE2 gives on the string itself, for
 * every flag the engine allows, on text with lone surrogates, astral and
 * case-folding characters, and line breaks.
 */

const RE2 = createRequire(import.meta.url)('re2') as new (source: string, flags: string) => { test(input: string): boolean };

const PATTERNS = ['^INV-[0-9]{4}-[0-9]{4}$', 'é', '\\x{FFFD}', '.', '^.$', '^b$', '😀+', '[^a]', 'straße', '\\bword\\b', 'a.b', '^$'];
const FLAGS = ['', 'i', 'm', 's', 'ims'];
const TEXT = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('a', 'b', 'é', 'É', 'ß', 'S', '\n', '\r', '\ud800', '\udc00', '😀', '\ufffd', '-', '0', 'I', 'N', 'V'),
  }),
);

describe('compileRegex: the bytes it hands RE2', () => {
  it('give the answer RE2 gives on the string', () => {
    for (const source of PATTERNS) {
      for (const flags of FLAGS) {
        const ours = compileRegex(source, flags, DEFAULT_LIMITS);
        const plain = new RE2(source, flags);
        fc.assert(
          fc.property(TEXT, (text) => {
            expect(ours.test(text)).toBe(plain.test(text));
          }),
          { numRuns: 200 },
        );
      }
    }
  });

  it('on a few inputs chosen by hand', () => {
    const cases: [string, string, string, boolean][] = [
      ['\\x{FFFD}', '', 'lone \ud800 surrogate', true],
      ['^.$', 's', '\ud83d', true],
      ['😀', '', 'x😀y', true],
      ['^É$', 'i', 'é', true],
      ['^b$', 'm', 'a\nb\nc', true],
      ['^INV-[0-9]{4}-[0-9]{4}$', '', 'INV-2024-0042', true],
      ['^INV-[0-9]{4}-[0-9]{4}$', '', 'INV-2024-00420', false],
    ];
    for (const [source, flags, text, expected] of cases) {
      expect(compileRegex(source, flags, DEFAULT_LIMITS).test(text)).toBe(expected);
      expect(new RE2(source, flags).test(text)).toBe(expected);
    }
  });
});
