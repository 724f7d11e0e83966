import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isTierguardError } from '../../src/errors.js';
import type { TierguardError } from '../../src/errors.js';
import { findJsonTextIssue, parseStrictJson } from '../../src/strict-json.js';

const BOUNDS = { maxDepth: 64, maxFileBytes: 1_048_576 };

function refusal(text: string, bounds: { maxDepth: number; maxFileBytes?: number } = BOUNDS): TierguardError {
  try {
    parseStrictJson(text, 'action.json', bounds);
  } catch (error) {
    if (isTierguardError(error, 'IO_ERROR')) return error;
    throw error;
  }
  throw new Error(`accepted: ${text.slice(0, 80)}`);
}

describe('parseStrictJson: duplicate keys', () => {
  it('refuses a repeated top-level key, naming it, its pointer, and both positions', () => {
    const error = refusal('{"tool":"db.drop","tool":"safe.read"}');
    expect(error.message).toBe('action.json: not valid JSON: line 1, column 19: duplicate key "tool" at /tool (first at line 1, column 2)');
    expect(error.details).toEqual({ file: 'action.json', line: 1, column: 19, pointer: '/tool', key: 'tool' });
  });

  it('refuses a repeated nested key, with the pointer through objects and arrays', () => {
    const error = refusal('{\n  "arguments": {\n    "rows": [1, {"id": 1,\n      "id": 2}]\n  }\n}');
    expect(error.details).toMatchObject({ line: 4, column: 7, pointer: '/arguments/rows/1/id', key: 'id' });
    expect(error.message).toContain('(first at line 3, column 18)');
  });

  it('compares keys as JSON.parse decodes them: an escaped spelling is the same key', () => {
    expect(refusal('{"tool":"a","\\u0074ool":"b"}').details).toMatchObject({ key: 'tool', pointer: '/tool' });
    expect(refusal('{"a/b~c":1,"a\\/b~c":2}').details).toMatchObject({ key: 'a/b~c', pointer: '/a~1b~0c' });
  });

  it('refuses a repeated __proto__ key, which JSON.parse keeps the last of as an own property', () => {
    expect(refusal('{"__proto__":{"admin":true},"__proto__":{}}').details).toMatchObject({ key: '__proto__' });
  });

  it('accepts the same key in sibling and nested objects', () => {
    expect(parseStrictJson('{"a":{"a":1},"b":[{"a":1},{"a":2}]}', 'x', BOUNDS)).toEqual({ a: { a: 1 }, b: [{ a: 1 }, { a: 2 }] });
  });

  it('cuts a long key in the message but keeps it whole in the details', () => {
    const key = 'k'.repeat(10_000);
    const error = refusal(`{"${key}":1,"${key}":2}`);
    expect(error.message.length).toBeLessThan(700);
    expect(error.details['key']).toBe(key);
  });
});

describe('parseStrictJson: syntax errors with line and column', () => {
  it.each([
    ['', 1, 1, 'expected a value, found the end of the text'],
    ['{"tool": "a",', 1, 14, 'expected a string key, found the end of the text'],
    ['{"tool" "a"}', 1, 9, "expected ':' after a key, found '\"'"],
    ['[1,\n 2\n 3]', 3, 2, "expected ',' or ']', found '3'"],
    ['{"a":1,}', 1, 8, "expected a string key, found '}'"],
    ['[01]', 1, 3, "expected ',' or ']', found '1'"],
    ['[1.]', 1, 4, 'a number needs a digit after the decimal point'],
    ['"a\u0001"', 1, 3, 'a control character (U+0001) must be escaped in a string'],
    ['"\\x41"', 1, 2, "not a JSON escape: 'x' after a backslash"],
    ['"\\u12g4"', 1, 2, 'a \\u escape needs four hex digits'],
    ['"open', 1, 1, 'a string is not closed'],
    ['\uFEFF{}', 1, 1, 'expected a value, found U+FEFF'],
    ['{} {}', 1, 4, "expected the end of the text, found '{'"],
    ['nul', 1, 1, "expected a value, found 'n'"],
  ])('%j', (text, line, column, reason) => {
    const error = refusal(text);
    expect(error.message).toBe(`action.json: not valid JSON: line ${line}, column ${column}: ${reason}`);
    expect(error.details).toMatchObject({ line, column });
    expect(() => {
      JSON.parse(text);
    }).toThrow(SyntaxError);
  });
});

describe('parseStrictJson: bounds', () => {
  const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('allows maxDepth collections below the outermost one, and refuses one more, at its position', () => {
    expect(() => parseStrictJson(nested(4), 'x', { maxDepth: 3 })).not.toThrow();
    const error = refusal(nested(5), { maxDepth: 3 });
    expect(error.message).toBe('action.json: not valid JSON: line 1, column 5: nested deeper than limits.maxDepth (3)');
    expect(error.details).toMatchObject({ limit: 'maxDepth', pointer: '/0/0/0/0' });
  });

  it('refuses 1,000,000 levels with the depth error, not a stack overflow', () => {
    expect(refusal(nested(1_000_000), { maxDepth: 64 }).details).toMatchObject({ limit: 'maxDepth', column: 66 });
    expect(findJsonTextIssue(nested(1_000_000), 2_000_000)).toBeUndefined();
  });

  it('refuses a text over maxFileBytes, counting UTF-8 bytes', () => {
    expect(parseStrictJson('"éé"', 'x', { maxDepth: 1, maxFileBytes: 6 })).toBe('éé');
    expect(refusal('"ééé"', { maxDepth: 1, maxFileBytes: 7 }).details).toMatchObject({ limit: 'maxFileBytes' });
  });
});

// Documents built as text, so keys JSON.stringify would never write twice or
// that an object literal cannot hold (`__proto__`) appear, with JSON's odd corners.
const KEYS = ['tool', '__proto__', 'constructor', 'prototype', 'a', '', '\ud800', '\u2028', 'é', 'a/b', '~'];
const whitespace = fc.stringMatching(/^[ \t\n\r]{0,2}$/);
const stringToken = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('"\\ud800"', '"\\uDFFF\\ud800"', '"\\u0000\\/\\b\\f\\n\\r\\t"', '"\\u005f_proto__"'),
);
const numberToken = fc.oneof(
  fc.double().filter(Number.isFinite).map(String),
  fc.constantFrom('-0', '0e0', '1E+2', '-1.5e-7', '123456789012345678901234567890', '1e400', '-1e400', '5e-400', '0.1'),
);
const { value: valueText } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringToken,
    numberToken,
    fc.constantFrom('true', 'false', 'null'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .uniqueArray(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(...KEYS).map((key) => JSON.stringify(key)),
          stringToken,
        ),
        tie('value'),
        whitespace,
      ),
      {
        maxLength: 4,
        // Unique as JSON.parse decodes them: the property is about documents without duplicate keys.
        selector: ([key]) => JSON.parse(key) as string,
      },
    )
    .map((members) => `{${members.map(([key, value, space]) => `${space}${key}${space}:${value}`).join(',')}}`),
  array: fc
    .array(fc.tuple(tie('value'), whitespace), { maxLength: 4 })
    .map((items) => `[${items.map(([value, space]) => `${space}${value}${space}`).join(',')}]`),
}));
const documentText = fc.tuple(whitespace, valueText, whitespace).map(([before, value, after]) => `${before}${value}${after}`);

describe('parseStrictJson agrees with JSON.parse', () => {
  it('on every valid document without duplicate keys: the same value, own __proto__ keys included', () => {
    fc.assert(
      fc.property(documentText, (text) => {
        // isDeepStrictEqual, not toStrictEqual: vitest reads an own `constructor` key as the value's type.
        expect(isDeepStrictEqual(parseStrictJson(text, 'x', BOUNDS), JSON.parse(text)), text).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('on damaged documents: refuses what JSON.parse refuses, and accepts the rest unless a key repeats', () => {
    const damaged = fc
      .tuple(
        documentText,
        fc.nat(),
        fc.constantFrom('', '{', '}', '[', ']', '"', ',', ':', '\\', '0', '-', '.', 'e', ' ', 'u', '\u0001', 'n'),
        fc.boolean(),
      )
      .map(([text, at, insert, remove]) => {
        const cut = text.length === 0 ? 0 : at % text.length;
        return `${text.slice(0, cut)}${insert}${text.slice(remove ? cut + 1 : cut)}`;
      });
    fc.assert(
      fc.property(damaged, (text) => {
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        const issue = findJsonTextIssue(text, 1_000);
        if (!valid) expect(issue, text).toBeDefined();
        else if (issue !== undefined) expect(issue.key, text).toBeDefined();
        else expect(isDeepStrictEqual(parseStrictJson(text, 'x', BOUNDS), expected), text).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});
