import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { escapeJsonForTerminal, escapeTerminalLines, escapeTerminalText } from '../../src/terminal-text.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

describe('escapeTerminalText', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['a\r\tb', 'a\\r\\tb'],
    ['\u001b[31mred', '\\x1b[31mred'],
    ['\u0000\u0007\u007f', '\\x00\\x07\\x7f'],
    ['\u009b2K\u0085', '\\x9b2K\\x85'],
    ['abc\u202edcba\u202c', 'abc\\u202edcba\\u202c'],
    ['\u2066x\u2069\u200by\u200f\ufeff\u2028', '\\u2066x\\u2069\\u200by\\u200f\\ufeff\\u2028'],
  ])('%j becomes %j', (raw, escaped) => {
    expect(escapeTerminalText(raw)).toBe(escaped);
  });

  it('leaves printable text alone: letters of any script, emoji, quotes and backslashes (regexes in messages)', () => {
    const text = 'payments.transfer  é 中文 עברית 🙂 "x" ^\\d+$';
    expect(escapeTerminalText(text)).toBe(text);
  });

  it('never leaves a character a terminal acts on', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => !UNSAFE.test(escapeTerminalText(text))));
  });
});

describe('escapeTerminalLines', () => {
  it('keeps line breaks and escapes everything else', () => {
    expect(escapeTerminalLines('2 policies are invalid:\n  a\u001b[2K\r')).toBe('2 policies are invalid:\n  a\\x1b[2K\\r');
  });
});

describe('escapeJsonForTerminal', () => {
  it('escapes what JSON.stringify leaves raw, and the text parses to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, tool) => {
        const json = escapeJsonForTerminal(JSON.stringify({ tool, value }, null, 2));
        expect(json.replace(/\n/g, '')).not.toMatch(UNSAFE);
        return isDeepStrictEqual(JSON.parse(json), JSON.parse(JSON.stringify({ tool, value })));
      }),
    );
  });
});
