import { createRequire } from 'node:module';

/**
 * The one seam between tierguard and a regular-expression engine (ajv's
 * `RegExpLike` idea). Everything that matches untrusted text goes through it, so
 * the engine can be swapped without touching the operators that use it.
 */
export interface RegexLike {
  /** True when the pattern matches anywhere in `input` (a search, not a full match). */
  test(input: string): boolean;
}

/** Flags accepted by {@link compileRegex}: `i` ignore case, `m` multiline anchors, `s` dot matches newline. */
export const REGEX_FLAGS = 'ims';

interface Re2Constructor {
  new (pattern: string, flags?: string): RegexLike & { source: string };
}

// re2 is a CommonJS native addon; createRequire loads it without a JSON-module or
// interop shim, and keeps the import synchronous so policies compile synchronously.
const RE2 = createRequire(import.meta.url)('re2') as Re2Constructor;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Thrown by {@link compileRegex} when the pattern is not valid RE2 syntax. */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

/**
 * Compiles `source` on RE2, which runs in time linear in the input: no pattern,
 * however written, can backtrack catastrophically. Lookaround and backreferences
 * are not RE2 syntax and are rejected here, at compile time.
 */
export function compileRegex(source: string, flags = ''): RegexLike {
  if (LONE_SURROGATE.test(source)) {
    // RE2 works on UTF-8, where a lone surrogate has no form: such a pattern would
    // compile and then never match, and under `not` never match means allow.
    throw new RegexSyntaxError('the pattern holds a lone UTF-16 surrogate, which RE2 cannot match');
  }
  for (const flag of flags) {
    if (!REGEX_FLAGS.includes(flag)) {
      throw new RegexSyntaxError(`unknown regex flag "${flag}" (allowed: ${REGEX_FLAGS.split('').join(', ')})`);
    }
  }
  try {
    return new RE2(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const shown = source.length > 80 ? `${source.slice(0, 80)}…` : source;
    throw new RegexSyntaxError(`RE2 cannot compile /${shown}/: ${reason}`);
  }
}
