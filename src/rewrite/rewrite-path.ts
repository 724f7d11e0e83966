import type { Limits } from '../limits.js';
import type { PatternSegment } from '../path/parse-path.js';
import { isJsonPath, parseDotPathPattern, PathSyntaxError } from '../path/parse-path.js';
import { DefinitionIssue } from '../definition-issue.js';

/** The `field` of a rewrite, parsed once: the segments it walks, `*` standing for every element or value. */
export interface RewritePath {
  /** The field as written in the policy. */
  readonly source: string;
  /** Its segments; the first is always a key. */
  readonly segments: readonly PatternSegment[];
}

const EXPECTED = 'a dot-path whose first segment names a key of the action other than tool';

/**
 * Parses a rewrite's `field` found at `pointer` in a definition. Refused, as a
 * {@link DefinitionIssue} there: JSONPath (a rewrite writes, and JSONPath's
 * recursive descent and filters have no single place to write to); a first
 * segment `tool` or `*` (the tool decides which policies apply, so no policy may
 * change it); and paths longer than `limits.maxDepth`, which `set_default` could
 * otherwise turn into an action deeper than any action may be.
 */
export function compileRewritePath(field: string, pointer: string, limits: Limits): RewritePath {
  if (isJsonPath(field)) {
    throw new DefinitionIssue(pointer, EXPECTED, 'must be a dot-path: JSONPath is not accepted for rewrites', field);
  }
  let segments: PatternSegment[];
  try {
    segments = parseDotPathPattern(field);
  } catch (error) {
    if (error instanceof PathSyntaxError) throw new DefinitionIssue(pointer, EXPECTED, error.message, field);
    throw error;
  }
  const [first] = segments;
  if (first?.kind !== 'key') {
    throw new DefinitionIssue(
      pointer,
      EXPECTED,
      'must start with a key: a leading * would reach tool, which decides which policies apply',
      field,
    );
  }
  if (first.key === 'tool') {
    throw new DefinitionIssue(pointer, EXPECTED, 'may not rewrite tool: the tool decides which policies apply', field);
  }
  if (segments.length > limits.maxDepth) {
    throw new DefinitionIssue(pointer, `a path of at most ${limits.maxDepth} segments (limits.maxDepth)`, undefined, field);
  }
  return { source: field, segments };
}
