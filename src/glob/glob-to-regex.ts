// Longer than most: one translator from glob syntax to RE2, each construct next
// to the others it must not collide with.
/**
 * Thrown by {@link globToRegexSource} for a pattern that is malformed or uses
 * syntax tierguard does not support. `offset` is the 0-based UTF-16 index of the
 * offending character in `pattern`, so `pattern.slice(offset)` shows where to look.
 */
export class GlobSyntaxError extends Error {
  /** The glob pattern that was rejected. */
  readonly pattern: string;
  /** 0-based UTF-16 index in `pattern` of the character the problem starts at. */
  readonly offset: number;

  constructor(pattern: string, offset: number, reason: string) {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    super(`invalid glob ${JSON.stringify(shown)}: ${reason} (at character offset ${offset})`);
    this.name = 'GlobSyntaxError';
    this.pattern = pattern;
    this.offset = offset;
  }
}

/** Inclusive code-point range inside a bracket class. */
type CodePointRange = readonly [low: number, high: number];

/** The parsed form of a glob: a sequence of nodes, alternations nesting sequences. */
type GlobNode =
  | { readonly kind: 'literal'; readonly codePoint: number }
  | { readonly kind: 'slash' }
  | { readonly kind: 'stars'; readonly count: number }
  | { readonly kind: 'any-char' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly CodePointRange[] }
  | {
      readonly kind: 'group';
      readonly alternatives: readonly GlobSequence[];
      readonly quantifier: '' | '?' | '*' | '+';
      // A group matched at most once (`{..}`, `@(..)`, `?(..)`) has its neighbours as
      // its body's neighbours, so a `**` inside can be a whole segment; a repeated
      // body (`*(..)`, `+(..)`) can neighbour itself, so segment boundaries stop there.
      readonly transparent: boolean;
    };
type GlobSequence = readonly GlobNode[];

const SLASH = 0x2f;

// `{1..3}`, `{a..e}`, `{1..10..2}`: bash/picomatch ranges, which we refuse
// rather than silently treat as literal text.
const BRACE_RANGE = /^(?:-?\d+|[A-Za-z])\.\.(?:-?\d+|[A-Za-z])(?:\.\.-?\d+)?$/;

// `[:alpha:]` (and friends) at `lastIndex` inside a bracket class; sticky, so
// checking does not copy the rest of the pattern at every `[`.
const POSIX_CLASS = /\[:[A-Za-z]*:\]/y;

// Characters that mean something to RE2 inside or outside a class. `-` is
// harmless outside a class but escaping it everywhere keeps one code path.
const RE2_SPECIAL = new Set('\\.+*?()|[]{}^$-'.split('').map((c) => c.codePointAt(0)));

// Groups nest by recursion in the parser and the emitter; a hostile pattern of
// thousands of `{` must be a GlobSyntaxError, not a stack overflow.
const MAX_GROUP_NESTING = 32;

/** Recursive-descent parser over code points; offsets stay in UTF-16 units for messages. */
class GlobParser {
  private position = 0;
  private nesting = 0;
  private wildcards = 0;

  constructor(
    private readonly pattern: string,
    private readonly maxWildcards: number,
  ) {}

  /** Counts one wildcard starting at `offset`; past the limit the pattern is refused there. */
  private countWildcard(offset: number): void {
    this.wildcards += 1;
    if (this.wildcards > this.maxWildcards) {
      this.fail(offset, `more than ${this.maxWildcards} wildcards (limits.maxGlobWildcards); each one adds to the work of every match`);
    }
  }

  parse(): GlobSequence {
    return this.parseSequence('');
  }

  private fail(offset: number, reason: string): never {
    throw new GlobSyntaxError(this.pattern, offset, reason);
  }

  private charAt(offset: number): string | undefined {
    return offset < this.pattern.length ? this.pattern[offset] : undefined;
  }

  /** Reads one code point at the current position and advances past it. */
  private takeCodePoint(): number {
    const codePoint = this.pattern.codePointAt(this.position);
    if (codePoint === undefined) {
      return this.fail(this.position, 'unexpected end of pattern');
    }
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      // RE2 works on UTF-8, where a lone surrogate has no encoding: the pattern
      // could never match, which for a deny rule is a silent allow.
      this.fail(this.position, 'lone UTF-16 surrogate; the pattern is not valid Unicode');
    }
    this.position += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }

  /** Parses nodes until the end of the pattern or an unescaped character in `terminators`. */
  private parseSequence(terminators: string): GlobSequence {
    const nodes: GlobNode[] = [];
    for (;;) {
      const char = this.charAt(this.position);
      if (char === undefined || terminators.includes(char)) {
        return nodes;
      }
      const next = this.charAt(this.position + 1);
      switch (char) {
        case '\\':
          if (next === undefined) {
            this.fail(this.position, 'trailing backslash escapes nothing (write \\\\ for a literal backslash)');
          }
          this.position += 1;
          nodes.push({ kind: 'literal', codePoint: this.takeCodePoint() });
          break;
        case '/':
          this.position += 1;
          nodes.push({ kind: 'slash' });
          break;
        case '*':
          if (next === '(') {
            nodes.push(this.parseExtglob('*'));
          } else {
            nodes.push(this.parseStars());
          }
          break;
        case '?':
          if (next === '(') {
            nodes.push(this.parseExtglob('?'));
          } else {
            this.countWildcard(this.position);
            this.position += 1;
            nodes.push({ kind: 'any-char' });
          }
          break;
        case '@':
        case '+':
          if (next === '(') {
            nodes.push(this.parseExtglob(char === '@' ? '' : '+'));
          } else {
            nodes.push({ kind: 'literal', codePoint: this.takeCodePoint() });
          }
          break;
        case '!':
          if (next === '(') {
            this.fail(
              this.position,
              'negated extglobs !(...) need lookahead, which RE2 does not run in linear time; use a `not` predicate',
            );
          }
          nodes.push({ kind: 'literal', codePoint: this.takeCodePoint() });
          break;
        case '[':
          nodes.push(this.parseClass());
          break;
        case '{':
          nodes.push(...this.parseBrace());
          break;
        default:
          nodes.push({ kind: 'literal', codePoint: this.takeCodePoint() });
      }
    }
  }

  /** A run of `*`; a star directly before `(` is left for the extglob `*(`. */
  private parseStars(): GlobNode {
    this.countWildcard(this.position);
    let count = 0;
    while (this.charAt(this.position) === '*' && this.charAt(this.position + 1) !== '(') {
      count += 1;
      this.position += 1;
    }
    return { kind: 'stars', count };
  }

  private enterGroup(offset: number): void {
    this.nesting += 1;
    if (this.nesting > MAX_GROUP_NESTING) {
      this.fail(offset, `braces and extglobs nest deeper than ${MAX_GROUP_NESTING} levels`);
    }
  }

  /** `@(a|b)`, `?(a|b)`, `*(a|b)`, `+(a|b)`, positioned on the operator character. */
  private parseExtglob(quantifier: '' | '?' | '*' | '+'): GlobNode {
    const start = this.position;
    this.enterGroup(start);
    this.countWildcard(start);
    this.position += 2;
    const alternatives: GlobSequence[] = [];
    for (;;) {
      alternatives.push(this.parseSequence('|)'));
      const char = this.charAt(this.position);
      this.position += 1;
      if (char === ')') {
        this.nesting -= 1;
        return { kind: 'group', alternatives, quantifier, transparent: quantifier === '' || quantifier === '?' };
      }
      if (char === undefined) {
        this.fail(start, `unterminated extglob ${this.pattern.slice(start, start + 2)} (missing ")")`);
      }
    }
  }

  /**
   * `{a,b}` becomes an alternation. A group with no top-level comma, like `{a}`,
   * is literal braces around its (still glob) contents, as in picomatch.
   */
  private parseBrace(): GlobNode[] {
    const start = this.position;
    this.enterGroup(start);
    this.position += 1;
    const alternatives: GlobSequence[] = [];
    for (;;) {
      const alternativeStart = this.position;
      alternatives.push(this.parseSequence(',}'));
      const char = this.charAt(this.position);
      if (alternatives.length > 1 || char === ',') this.countWildcard(alternativeStart);
      this.position += 1;
      if (char === '}') {
        this.nesting -= 1;
        break;
      }
      if (char === undefined) {
        this.fail(start, 'unterminated brace group "{" (missing "}"; write \\{ for a literal brace)');
      }
    }
    const [only] = alternatives;
    if (alternatives.length === 1 && only !== undefined) {
      if (BRACE_RANGE.test(this.pattern.slice(start + 1, this.position - 1))) {
        this.fail(start, 'brace ranges like {1..3} are not supported; list the alternatives or use a bracket class');
      }
      return [{ kind: 'literal', codePoint: 0x7b }, ...only, { kind: 'literal', codePoint: 0x7d }];
    }
    return [{ kind: 'group', alternatives, quantifier: '', transparent: true }];
  }

  /** `[abc]`, `[a-z]`, `[!a-z]`, `[^a-z]`; a `]` right after the opening (and negation) is literal. */
  private parseClass(): GlobNode {
    const start = this.position;
    this.countWildcard(start);
    this.position += 1;
    const negationChar = this.charAt(this.position);
    const negated = negationChar === '!' || negationChar === '^';
    if (negated) {
      this.position += 1;
    }
    const ranges: CodePointRange[] = [];
    for (let first = true; ; first = false) {
      const char = this.charAt(this.position);
      if (char === undefined) {
        // An error rather than a literal `[`: a half-written class is far more
        // likely a typo than a wish to match `[`, and a typo in a deny rule must be loud.
        this.fail(start, 'unterminated bracket class "[" (missing "]"; write \\[ for a literal bracket)');
      }
      if (char === ']' && !first) {
        this.position += 1;
        break;
      }
      POSIX_CLASS.lastIndex = this.position;
      if (char === '[' && POSIX_CLASS.test(this.pattern)) {
        this.fail(this.position, 'POSIX character classes like [:alpha:] are not supported; list the characters, e.g. [a-zA-Z]');
      }
      const lowOffset = this.position;
      const low = this.takeClassCodePoint();
      const afterDash = this.charAt(this.position + 1);
      if (this.charAt(this.position) === '-' && afterDash !== undefined && afterDash !== ']') {
        this.position += 1;
        const high = this.takeClassCodePoint();
        if (high < low) {
          this.fail(lowOffset, `bracket class range ${this.pattern.slice(lowOffset, this.position)} is out of order`);
        }
        ranges.push([low, high]);
      } else {
        if (low === SLASH && !negated) {
          // Classes never match the separator; a class that names it explicitly
          // shows the author expected otherwise, so say so instead of dropping it.
          this.fail(lowOffset, 'a bracket class never matches "/" (the path separator)');
        }
        ranges.push([low, low]);
      }
    }
    return { kind: 'class', negated, ranges };
  }

  private takeClassCodePoint(): number {
    if (this.charAt(this.position) === '\\') {
      if (this.charAt(this.position + 1) === undefined) {
        this.fail(this.position, 'trailing backslash escapes nothing (write \\\\ for a literal backslash)');
      }
      this.position += 1;
    }
    return this.takeCodePoint();
  }
}

/** Escapes one code point so RE2 reads it literally, inside or outside a class. */
function literal(codePoint: number): string {
  if (codePoint < 0x20 || codePoint === 0x7f) {
    return `\\x{${codePoint.toString(16)}}`;
  }
  const char = String.fromCodePoint(codePoint);
  return RE2_SPECIAL.has(codePoint) ? `\\${char}` : char;
}

function classRange([low, high]: CodePointRange): string {
  return low === high ? literal(low) : `${literal(low)}-${literal(high)}`;
}

/** Class body for a positive class: ranges spanning `/` are split around it, so `/` never matches. */
function positiveClassBody(ranges: readonly CodePointRange[]): string {
  const parts: string[] = [];
  const push = (low: number, high: number): void => {
    if (low <= high) {
      parts.push(classRange([low, high]));
    }
  };
  for (const [low, high] of ranges) {
    if (low <= SLASH && SLASH <= high) {
      push(low, SLASH - 1);
      push(SLASH + 1, high);
    } else {
      push(low, high);
    }
  }
  return parts.join('');
}

/** What surrounds a sequence, so a `**` can tell whether it is a whole path segment. */
interface SequenceContext {
  /** A segment boundary (pattern start or `/`) precedes the sequence. */
  readonly segmentStart: boolean;
  /** A segment boundary (pattern end or `/`) follows the sequence. */
  readonly segmentEnd: boolean;
  /** Nothing at all precedes the sequence in the pattern. */
  readonly patternStart: boolean;
  /** Nothing at all follows the sequence in the pattern. */
  readonly patternEnd: boolean;
}

const OPAQUE: SequenceContext = { segmentStart: false, segmentEnd: false, patternStart: false, patternEnd: false };

// A whole-segment `**` followed by `/`: zero or more segments, each with its slash,
// so `a/**/b` matches `a/b` as well as `a/x/y/b`.
const GLOBSTAR_THEN_SLASH = '(?:[^/]*/)*';
// A whole-segment `**` at the end after `/`: the slash and everything after it are
// optional, so `x/**` matches `x`, `x/` and `x/y/z`.
const SLASH_THEN_GLOBSTAR = '(?:/[\\s\\S]*)?';
// Any string at all, newlines and slashes included (RE2's `.` would skip `\n`).
const ANYTHING = '[\\s\\S]*';
// Classes written `[^/]` include `\n` in RE2, so `*` and `?` cover every non-separator.
const SEGMENT_RUN = '[^/]*';
const SEGMENT_CHAR = '[^/]';

function emitSequence(sequence: GlobSequence, context: SequenceContext): string {
  const isWholeSegmentGlobstar = (index: number): boolean => {
    const node = sequence[index];
    // Exactly two: `***` is `*`, as in picomatch and bash.
    if (node?.kind !== 'stars' || node.count !== 2) {
      return false;
    }
    const before = index === 0 ? context.segmentStart : sequence[index - 1]?.kind === 'slash';
    const after = index === sequence.length - 1 ? context.segmentEnd : sequence[index + 1]?.kind === 'slash';
    return before && after;
  };
  const nothingBefore = (index: number): boolean => index === 0 && context.patternStart;
  const nothingAfter = (index: number): boolean => index === sequence.length - 1 && context.patternEnd;

  let out = '';
  for (let index = 0; index < sequence.length; index += 1) {
    const node = sequence[index];
    if (node === undefined) {
      break;
    }
    switch (node.kind) {
      case 'literal':
        out += literal(node.codePoint);
        break;
      case 'any-char':
        out += SEGMENT_CHAR;
        break;
      case 'class':
        out += node.negated ? `[^${node.ranges.map(classRange).join('')}/]` : `[${positiveClassBody(node.ranges)}]`;
        break;
      case 'slash':
        // `x/**` at the end: the globstar takes this slash so that `x` itself matches.
        // Not when the slash opens the pattern: `/**` must not match the empty string.
        if (index + 2 === sequence.length && isWholeSegmentGlobstar(index + 1) && !nothingBefore(index)) {
          out += SLASH_THEN_GLOBSTAR;
          index += 1;
        } else {
          out += '/';
        }
        break;
      case 'stars':
        if (!isWholeSegmentGlobstar(index)) {
          out += SEGMENT_RUN;
        } else if (sequence[index + 1]?.kind === 'slash' && !(nothingBefore(index) && nothingAfter(index + 1))) {
          // `**/` takes its slash so zero segments leave no stray `/` behind;
          // except for the whole pattern `**/`, which must not match the empty string.
          out += GLOBSTAR_THEN_SLASH;
          index += 1;
        } else {
          out += ANYTHING;
        }
        break;
      case 'group': {
        const before = index === 0 ? context.segmentStart : sequence[index - 1]?.kind === 'slash';
        const after = index === sequence.length - 1 ? context.segmentEnd : sequence[index + 1]?.kind === 'slash';
        const inner: SequenceContext = node.transparent
          ? {
              segmentStart: before,
              segmentEnd: after,
              patternStart: nothingBefore(index),
              patternEnd: nothingAfter(index),
            }
          : OPAQUE;
        const alternatives = node.alternatives.map((alternative) => emitSequence(alternative, inner));
        out += `(?:${alternatives.join('|')})${node.quantifier}`;
        break;
      }
    }
  }
  return out;
}

/**
 * Translates a glob into an anchored (`^...$`) RE2 regex source: no lookaround,
 * no backreferences, so matching is linear in the input whatever the pattern.
 *
 * Semantics (case-sensitive; pass RE2 flag `i` for case-insensitive matching):
 * - `*` matches any run of characters except `/`, including the empty run and
 *   leading dots (like picomatch `dot: true`, but `.` and `..` segments match too);
 * - `?` matches exactly one character (Unicode code point) except `/`;
 * - `**` as a whole path segment matches zero or more whole segments across `/`
 *   (`a/**\/b` matches `a/b`, `x/**` matches `x`, `**\/x` matches `x`; the slash
 *   that vanishes must sit in the same group as the `**`), also inside `{a/**,b}`,
 *   `@(..)` and `?(..)` but not inside the repeated `*(..)`, `+(..)`; `***` and any
 *   `**` that is not a whole segment are `*`;
 * - `[abc]`, `[a-z]`, `[!a-z]`, `[^a-z]` never match `/`; `]` first is literal;
 * - `{a,b}` alternates (nestable, may hold globs); `{a}` without a comma is literal
 *   braces around still-glob contents, as in picomatch;
 * - `@(a|b)`, `?(a|b)`, `*(a|b)`, `+(a|b)` are once, optional, zero-or-more, one-or-more;
 * - `\x` is a literal `x`; every other character is literal (`(`, `|`, a leading `!`);
 * - an unterminated `[` or `{` is an error, not literal text as in picomatch: a
 *   half-written class in a deny rule must fail loudly (write `\[` for a literal).
 *
 * `maxWildcards` bounds the wildcards (`*` runs, `?`, classes, extglobs and each
 * brace alternative): each adds a loop or a branch RE2 steps on every input byte.
 *
 * @throws {GlobSyntaxError} for more than `maxWildcards` wildcards, an unterminated `[`, `{` or extglob, a trailing `\`,
 *   POSIX classes `[[:alpha:]]`, brace ranges `{1..3}`, negated extglobs `!(...)`,
 *   an explicit `/` in a class, an out-of-order class range, or a lone surrogate.
 */
export function globToRegexSource(pattern: string, maxWildcards: number): string {
  const sequence = new GlobParser(pattern, maxWildcards).parse();
  const context: SequenceContext = { segmentStart: true, segmentEnd: true, patternStart: true, patternEnd: true };
  return `^${emitSequence(sequence, context)}$`;
}
