/**
 * A conservative estimate of how many instructions RE2 compiles a pattern into.
 *
 * RE2 matches in time linear in the input but proportional to its program: when
 * its DFA gives up (as it does on patterns like `(a|aa){1000}b`), the NFA steps
 * every live instruction on every input byte. The `re2` addon does not expose
 * RE2's `ProgramSize()`, so this walks the pattern and counts the instructions
 * RE2 would emit for each piece, rounding up wherever RE2 might emit more: an
 * overestimate can only reject a pattern, an underestimate would let a slow one
 * through. The pattern must already have compiled on RE2 (its syntax is valid).
 *
 * Longer than most files on purpose: each construct's cost is argued against
 * RE2's compiler beside the code that charges it, so the soundness of the whole
 * estimate is read in one place.
 */

/** Inclusive code-point range. */
export type Range = readonly [low: number, high: number];

const MAX_CODE_POINT = 0x10ffff;
const NON_ASCII: Range = [0x80, MAX_CODE_POINT];
// RE2 compiles the whole non-ASCII range (`.`, `[^a]`, `[\s\S]`) to six byte
// ranges sharing continuation suffixes, plus the alternations joining them.
const NON_ASCII_COST = 10;
// The unanchored `.*?` prefix, the whole-match capture, match and fail instructions.
const PROGRAM_OVERHEAD = 8;
// `\pL` and friends: hundreds of ranges, nearly all of them multi-byte. The
// largest Unicode classes compile to fewer instructions than this (RE2 shares
// suffixes); counting every property class as the largest keeps the estimate
// free of Unicode tables whose version could differ from RE2's.
const UNICODE_CLASS_COST = 4_000;

const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };
const EMPTY_WIDTH_ESCAPES = new Set(['b', 'B', 'A', 'z']);

/**
 * Estimated RE2 program size of `source` compiled with `flags` (`i`, `m`, `s`):
 * never less than what RE2 emits for the patterns tierguard accepts.
 */
export function estimateProgramSize(source: string, flags: string): number {
  return estimateProgram(source, flags).size;
}

/**
 * What a scan needs to know of a pattern to bound how far RE2 reads past a match
 * (see `scan-budget.ts`): every code point a thread of the pattern consumes is
 * either consumed inside an unbounded repetition (`*`, `+`, `{n,}`), and so lies
 * in `loopRanges`, or by the rest, which consumes at most `boundedLength` code points.
 */
export interface ProgramEstimate {
  /** As {@link estimateProgramSize}. */
  readonly size: number;
  /** Most code points one match consumes outside unbounded repetitions. */
  readonly boundedLength: number;
  /** Every code point an unbounded repetition's body can consume (merged, sorted); empty when there is none. */
  readonly loopRanges: readonly Range[];
}

/** The estimated program size of `source` with `flags`, and the reach of its matches. */
export function estimateProgram(source: string, flags: string): ProgramEstimate {
  const parser = new SizeParser(source, flags.includes('i'), flags.includes('s'));
  const piece = parser.parse();
  return { size: PROGRAM_OVERHEAD + piece.cost, boundedLength: piece.length, loopRanges: merge(parser.loopChars) };
}

/** One parsed atom: its instruction count, the most code points it consumes outside unbounded loops, and what it can consume. */
interface Piece {
  readonly cost: number;
  readonly length: number;
  readonly chars: readonly Range[];
}

const EMPTY_WIDTH: Piece = { cost: 1, length: 0, chars: [] };
const ANY_CHAR: readonly Range[] = [[0, MAX_CODE_POINT]];

interface Mode {
  foldCase: boolean;
  dotAll: boolean;
}

class SizeParser {
  private position = 0;
  private readonly text: readonly string[];
  private mode: Mode;
  /** The code points the bodies of unbounded repetitions can consume. */
  readonly loopChars: Range[] = [];

  constructor(source: string, foldCase: boolean, dotAll: boolean) {
    this.text = Array.from(source);
    this.mode = { foldCase, dotAll };
  }

  parse(): Piece {
    return this.alternation();
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.position + offset];
  }

  private take(): string {
    const char = this.text[this.position];
    this.position += 1;
    return char ?? '';
  }

  /** `a|b|c` up to `)` or the end: the branches plus one alternation instruction between each two. */
  private alternation(): Piece {
    const outer = { ...this.mode };
    let first = this.concatenation();
    let cost = first.cost;
    let length = first.length;
    const chars = [...first.chars];
    while (this.peek() === '|') {
      this.position += 1;
      first = this.concatenation();
      cost += 1 + first.cost;
      length = Math.max(length, first.length);
      chars.push(...first.chars);
    }
    this.mode = outer;
    return { cost, length, chars };
  }

  private concatenation(): Piece {
    let cost = 0;
    let length = 0;
    const chars: Range[] = [];
    for (;;) {
      const char = this.peek();
      if (char === undefined || char === '|' || char === ')') return { cost, length, chars };
      const atom = this.atom();
      if (atom === undefined) continue;
      const piece = this.repeated(atom);
      cost += piece.cost;
      length += piece.length;
      chars.push(...piece.chars);
    }
  }

  /** One atom; `undefined` for a flag group `(?i)`, which changes the mode and matches nothing. */
  private atom(): Piece | undefined {
    const char = this.take();
    switch (char) {
      case '(':
        return this.group();
      case '[': {
        const { ranges, unicode } = this.bracketClass();
        return this.classPiece(classCost(ranges, this.mode.foldCase) + (unicode ? UNICODE_CLASS_COST : 0), unicode ? ANY_CHAR : ranges);
      }
      case '.': {
        const ranges: Range[] = this.mode.dotAll
          ? [[0, MAX_CODE_POINT]]
          : [
              [0, 0x09],
              [0x0b, MAX_CODE_POINT],
            ];
        return { cost: classCost(ranges, false), length: 1, chars: ranges };
      }
      case '^':
      case '$':
        return EMPTY_WIDTH;
      case '\\':
        return this.escape();
      default:
        return this.literalPiece(char.codePointAt(0) ?? 0);
    }
  }

  private group(): Piece | undefined {
    let capturing = true;
    if (this.peek() === '?') {
      this.position += 1;
      const next = this.peek();
      if (next === 'P' || next === '<') {
        // (?P<name>...) or (?<name>...): a capturing group.
        while (this.take() !== '>') {
          if (this.peek() === undefined) break;
        }
      } else {
        capturing = false;
        const flags: string[] = [];
        while (this.peek() !== ':' && this.peek() !== ')' && this.peek() !== undefined) flags.push(this.take());
        const setMode = (mode: Mode): void => {
          let on = true;
          for (const flag of flags) {
            if (flag === '-') on = false;
            else if (flag === 'i') mode.foldCase = on;
            else if (flag === 's') mode.dotAll = on;
          }
        };
        if (this.take() === ')') {
          setMode(this.mode);
          return undefined;
        }
        const outer = { ...this.mode };
        setMode(this.mode);
        const inner = this.alternation();
        this.position += 1;
        this.mode = outer;
        return inner;
      }
    }
    const inner = this.alternation();
    this.position += 1;
    return capturing ? { ...inner, cost: inner.cost + 2 } : inner;
  }

  private escape(): Piece {
    const char = this.take();
    if (EMPTY_WIDTH_ESCAPES.has(char)) return EMPTY_WIDTH;
    // One byte of any code point.
    if (char === 'C') return { cost: 1, length: 1, chars: ANY_CHAR };
    if (char === 'Q') {
      let cost = 0;
      let length = 0;
      const chars: Range[] = [];
      while (this.peek() !== undefined && !(this.peek() === '\\' && this.peek(1) === 'E')) {
        const literal = this.literalPiece(this.take().codePointAt(0) ?? 0);
        cost += literal.cost;
        length += 1;
        chars.push(...literal.chars);
      }
      if (this.peek() !== undefined) this.position += 2;
      return { cost, length, chars };
    }
    if (char === 'p' || char === 'P') {
      this.propertyName();
      return { cost: UNICODE_CLASS_COST, length: 1, chars: ANY_CHAR };
    }
    const perl = PERL_CLASSES[char.toLowerCase()];
    if (perl !== undefined) {
      const ranges = char === char.toLowerCase() ? perl : complement(perl);
      return this.classPiece(classCost(ranges, this.mode.foldCase), ranges);
    }
    return this.literalPiece(this.escapedCodePoint(char));
  }

  /** A class of `cost` instructions matching one code point of `ranges` (and, under `i`, their case partners). */
  private classPiece(cost: number, ranges: readonly Range[]): Piece {
    return { cost, length: 1, chars: this.mode.foldCase ? [...ranges, ...foldedPartners(ranges)] : ranges };
  }

  private literalPiece(codePoint: number): Piece {
    const chars: Range[] = (this.mode.foldCase ? caseOrbit(codePoint) : [codePoint]).map((member): Range => [member, member]);
    return { cost: this.literalCost(codePoint), length: 1, chars };
  }

  private propertyName(): void {
    if (this.take() !== '{') return;
    while (this.peek() !== undefined && this.take() !== '}') {
      // skip the name
    }
  }

  /** The code point of a literal escape (`\x41`, `\x{1F600}`, `\101`, `\n`, `\.`), after the backslash. */
  private escapedCodePoint(char: string): number {
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) return simple;
    if (char === 'x') {
      let digits = '';
      if (this.peek() === '{') {
        this.position += 1;
        while (this.peek() !== undefined && this.peek() !== '}') digits += this.take();
        this.position += 1;
      } else {
        digits = this.take() + this.take();
      }
      return Number.parseInt(digits, 16) || 0;
    }
    if (char >= '0' && char <= '7') {
      let digits = char;
      while (digits.length < 3 && (this.peek() ?? '') >= '0' && (this.peek() ?? '') <= '7') digits += this.take();
      return Number.parseInt(digits, 8);
    }
    return char.codePointAt(0) ?? 0;
  }

  /** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (each maybe lazy) after an atom, as RE2 expands them. */
  private repeated(atom: Piece): Piece {
    const char = this.peek();
    let cost: number;
    let maxCopies: number | undefined;
    if (char === '*' || char === '+' || char === '?') {
      this.position += 1;
      cost = atom.cost + 2;
      maxCopies = char === '?' ? 1 : undefined;
    } else if (char === '{') {
      const bounds = this.repetitionBounds();
      if (bounds === undefined) return atom;
      const [min, max] = bounds;
      // x{n,m} is n copies then m-n optional copies, each optional copy an alternation
      // and a no-op; x{n,} is n copies and a star; a nested repetition multiplies.
      cost = max === undefined ? Math.max(min, 1) * (atom.cost + 2) + 2 : max * (atom.cost + 2) + 2;
      maxCopies = max;
    } else {
      return atom;
    }
    if (this.peek() === '?') this.position += 1;
    if (maxCopies !== undefined) return { cost, length: maxCopies * atom.length, chars: atom.chars };
    // Every code point the loop consumes is one of its body's: counted there, not in the length.
    this.loopChars.push(...atom.chars);
    return { cost, length: 0, chars: atom.chars };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}`; `undefined` (and nothing read) when the brace is a literal. */
  private repetitionBounds(): [number, number | undefined] | undefined {
    const rest = this.text.slice(this.position, this.position + 16).join('');
    const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (match === null) return undefined;
    this.position += Array.from(match[0]).length;
    const min = Number(match[1]);
    if (match[2] === undefined) return [min, min];
    return [min, match[3] === '' || match[3] === undefined ? undefined : Number(match[3])];
  }

  /** The ranges of a bracket class, after its `[`, with negation applied; `unicode` when it holds a property class. */
  private bracketClass(): { ranges: Range[]; unicode: boolean } {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.position += 1;
    }
    const ranges: Range[] = [];
    let unicode = false;
    for (let first = true; ; first = false) {
      const char = this.peek();
      if (char === undefined) break;
      if (char === ']' && !first) {
        this.position += 1;
        break;
      }
      if (char === '[' && this.peek(1) === ':') {
        const rest = this.text.slice(this.position).join('');
        const match = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        if (match !== null) {
          this.position += match[0].length;
          const posix = POSIX_CLASSES[match[2] ?? ''] ?? [[0, MAX_CODE_POINT]];
          ranges.push(...(match[1] === '^' ? complement(posix) : posix));
          continue;
        }
      }
      if (char === '\\') {
        const kind = this.peek(1) ?? '';
        if (kind === 'p' || kind === 'P') {
          this.position += 2;
          this.propertyName();
          unicode = true;
          continue;
        }
        const perl = PERL_CLASSES[kind.toLowerCase()];
        if (perl !== undefined) {
          this.position += 2;
          ranges.push(...(kind === kind.toLowerCase() ? perl : complement(perl)));
          continue;
        }
      }
      const low = this.classCodePoint();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.position += 1;
        ranges.push([low, this.classCodePoint()]);
      } else {
        ranges.push([low, low]);
      }
    }
    return { ranges: negated ? complement(ranges) : ranges, unicode };
  }

  private classCodePoint(): number {
    const char = this.take();
    if (char !== '\\') return char.codePointAt(0) ?? 0;
    return this.escapedCodePoint(this.take());
  }

  /** A literal is one instruction per UTF-8 byte; under `i` a letter with other cases becomes a class. */
  private literalCost(codePoint: number): number {
    if (this.mode.foldCase) {
      const orbit = caseOrbit(codePoint);
      if (orbit.length > 1) {
        // RE2 folds an ASCII letter with only an ASCII partner into one byte range.
        if (orbit.length === 2 && orbit.every((member) => member < 0x80)) return 1;
        return classCost(
          orbit.map((member): Range => [member, member]),
          false,
        );
      }
    }
    return utf8Length(codePoint);
  }
}

/**
 * Instructions for a class: each range split where its UTF-8 length changes;
 * a piece of L-byte sequences splits into at most 2L-1 byte-range chains of L
 * instructions, joined by alternations. The whole non-ASCII range is cheaper in
 * RE2 (shared suffixes) and is counted as such.
 */
function classCost(input: readonly Range[], foldCase: boolean): number {
  let ranges = merge(input);
  if (foldCase) ranges = merge([...ranges, ...foldedPartners(ranges)]);
  let cost = 0;
  for (const [low, high] of ranges) {
    if (low <= NON_ASCII[0] && high >= NON_ASCII[1]) {
      if (low < 0x80) cost += 2;
      cost += NON_ASCII_COST;
      continue;
    }
    if (low === high) {
      // One code point is one chain of its UTF-8 bytes, and an alternation joining it.
      cost += utf8Length(low) + 1;
      continue;
    }
    for (const [bytes, start, end] of [
      [1, 0, 0x7f],
      [2, 0x80, 0x7ff],
      [3, 0x800, 0xffff],
      [4, 0x10000, MAX_CODE_POINT],
    ] as const) {
      if (low <= end && high >= start) cost += (2 * bytes - 1) * (bytes + 1);
    }
  }
  return cost + 1;
}

function merge(input: readonly Range[]): Range[] {
  const sorted = [...input].sort((left, right) => left[0] - right[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

function complement(input: readonly Range[]): Range[] {
  const result: Range[] = [];
  let next = 0;
  for (const [low, high] of merge(input)) {
    if (low > next) result.push([next, low - 1]);
    next = high + 1;
  }
  if (next <= MAX_CODE_POINT) result.push([next, MAX_CODE_POINT]);
  return result;
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

// Case orbits (code points equal under simple case folding), built once on first
// use from the platform's case mappings: c, lower(c) and upper(c) share an orbit,
// which links K, k and KELVIN SIGN as RE2's folding does. Only code points below
// 0x20000 have cases.
let orbits: ReadonlyMap<number, readonly number[]> | undefined;
let foldable: readonly number[] | undefined;

function caseOrbits(): ReadonlyMap<number, readonly number[]> {
  if (orbits !== undefined) return orbits;
  const parent = new Map<number, number>();
  const find = (code: number): number => {
    let root = code;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) ?? root;
    return root;
  };
  const union = (left: number, right: number): void => {
    const a = find(left);
    const b = find(right);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    if (!parent.has(Math.min(a, b))) parent.set(Math.min(a, b), Math.min(a, b));
  };
  for (let code = 0; code < 0x20000; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    for (const mapped of [char.toLowerCase(), char.toUpperCase()]) {
      const other = mapped.codePointAt(0);
      if (other !== undefined && other !== code && Array.from(mapped).length === 1) union(code, other);
    }
  }
  const members = new Map<number, number[]>();
  for (const code of parent.keys()) {
    const root = find(code);
    const list = members.get(root) ?? [];
    list.push(code);
    members.set(root, list);
  }
  const byCode = new Map<number, readonly number[]>();
  for (const list of members.values()) if (list.length > 1) for (const code of list) byCode.set(code, list);
  orbits = byCode;
  foldable = [...byCode.keys()].sort((left, right) => left - right);
  return orbits;
}

function caseOrbit(codePoint: number): readonly number[] {
  return caseOrbits().get(codePoint) ?? [codePoint];
}

/**
 * The case partners of every code point in `ranges` that fall outside its own
 * range (those inside add nothing), found through the sorted list of code points
 * that have any; a wide range thus costs a walk, not thousands of new ranges.
 */
function foldedPartners(ranges: readonly Range[]): Range[] {
  const table = caseOrbits();
  const codes = foldable ?? [];
  const partners: Range[] = [];
  for (const [low, high] of ranges) {
    for (let index = lowerBound(codes, low); index < codes.length && (codes[index] ?? Infinity) <= high; index += 1) {
      for (const member of table.get(codes[index] ?? 0) ?? []) if (member < low || member > high) partners.push([member, member]);
    }
  }
  return partners;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
