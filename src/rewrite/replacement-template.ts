import type { RegexMatch, RegexScanner } from '../regex/regex-engine.js';

/**
 * The `with` of a `replace` rewrite, parsed once against its pattern's groups.
 * The syntax is JavaScript's `String.prototype.replace`: `$1`..`$99` and
 * `$<name>` insert a group (nothing when it took no part in the match), `$&` the
 * whole match, `$$` a `$`; any other `$` is itself. Where JavaScript would
 * silently insert nothing or the reference's own text, this refuses: a number or
 * name that is no group of the pattern (a typo would otherwise pass unnoticed),
 * `$0` (the whole match in RE2's own syntax, literal in JavaScript's), `${...}`
 * (RE2's syntax for `$<...>`), and `` $` `` / `$'` (the text around the match,
 * which would copy the input once per match).
 */

/** A piece of the replacement: literal text, a group by number (0 for the whole match), or a group by name. */
export type ReplacementPart = string | number | { readonly name: string };

/** Thrown by {@link compileReplacement} for a template that refers to what the pattern does not have. */
export class ReplacementSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplacementSyntaxError';
  }
}

/** Parses `template` against the groups of `scanner`'s pattern. */
export function compileReplacement(template: string, scanner: Pick<RegexScanner, 'groupCount' | 'groupNames'>): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let literal = '';
  let position = 0;
  const flush = (): void => {
    if (literal !== '') parts.push(literal);
    literal = '';
  };
  while (position < template.length) {
    const dollar = template.indexOf('$', position);
    if (dollar === -1 || dollar === template.length - 1) {
      literal += template.slice(position);
      break;
    }
    literal += template.slice(position, dollar);
    const next = template.charAt(dollar + 1);
    if (next === '$') {
      literal += '$';
      position = dollar + 2;
    } else if (next === '&') {
      flush();
      parts.push(0);
      position = dollar + 2;
    } else if (next === '<') {
      const close = template.indexOf('>', dollar + 2);
      if (close === -1) throw new ReplacementSyntaxError(`"$<" at offset ${dollar} has no closing ">" (write $$ for a literal $)`);
      const name = template.slice(dollar + 2, close);
      if (!scanner.groupNames.includes(name)) {
        throw new ReplacementSyntaxError(`"$<${name}>" names no group of the pattern (${describeNames(scanner.groupNames)})`);
      }
      flush();
      parts.push({ name });
      position = close + 1;
    } else if (isDigit(next)) {
      const [group, length] = groupReference(template, dollar, scanner.groupCount);
      flush();
      parts.push(group);
      position = dollar + 1 + length;
    } else if (next === '{' || next === '`' || next === "'") {
      throw new ReplacementSyntaxError(
        `"$${next}" at offset ${dollar} is not supported: use $1 or $<name> for a group, $& for the match, $$ for a literal $`,
      );
    } else {
      literal += '$';
      position = dollar + 1;
    }
  }
  flush();
  return parts;
}

// As in JavaScript, `$12` is group 12 when there is one, else group 1 followed by "2".
function groupReference(template: string, dollar: number, groupCount: number): [group: number, length: number] {
  const two = template.slice(dollar + 1, dollar + 3);
  if (two.length === 2 && isDigit(two.charAt(1)) && Number(two) >= 1 && Number(two) <= groupCount) return [Number(two), 2];
  const one = Number(template.charAt(dollar + 1));
  if (one === 0) throw new ReplacementSyntaxError(`"$0" at offset ${dollar}: groups are numbered from 1 ($& is the whole match)`);
  if (one > groupCount) {
    throw new ReplacementSyntaxError(
      `"$${one}" at offset ${dollar} refers to group ${one}, but the pattern has ${groupCount} (write $$ for a literal $)`,
    );
  }
  return [one, 1];
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function describeNames(names: readonly string[]): string {
  return names.length === 0 ? 'it names none' : `it names ${names.join(', ')}`;
}

/**
 * Replaces every match of `scanner` in `input` by `parts`. Returns `input` itself
 * when nothing matched, and `undefined` as soon as the result would be longer
 * than `maxLength`, so a growing replacement stops early instead of building a
 * string it will refuse. Text is sliced from `input` by the match spans, so what
 * no match covers is kept exactly, lone surrogates included.
 */
export function replaceAll(input: string, scanner: RegexScanner, parts: readonly ReplacementPart[], maxLength: number): string | undefined {
  const chunks: string[] = [];
  let length = 0;
  let copied = 0;
  let tooLong = false;
  scanner.scan(input, (match) => {
    const whole = match.spans[0];
    if (whole === undefined) return true;
    const [start, end] = whole;
    const before = input.slice(copied, start);
    chunks.push(before);
    length += before.length;
    for (const part of parts) {
      const text = typeof part === 'string' ? part : spanText(input, match, part);
      chunks.push(text);
      length += text.length;
    }
    copied = end;
    tooLong = length > maxLength;
    return !tooLong;
  });
  if (tooLong) return undefined;
  if (chunks.length === 0) return input;
  const rest = input.slice(copied);
  if (length + rest.length > maxLength) return undefined;
  chunks.push(rest);
  return chunks.join('');
}

function spanText(input: string, match: RegexMatch, part: number | { readonly name: string }): string {
  const span = typeof part === 'number' ? match.spans[part] : match.named?.[part.name];
  return span === undefined ? '' : input.slice(span[0], span[1]);
}
