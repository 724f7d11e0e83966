import { formatPath } from '../format-path.js';
import { PathSyntaxError, isJsonPath, parseDotPath } from '../path/parse-path.js';
import { renderValue } from '../render-value.js';

/** A path as `toRewrite` and `toHaveViolationAt` take it: a dot-path (`arguments.items[0].sku`) or segments (`['arguments', 'items', 0, 'sku']`, `[]` for the action itself). */
export type DecisionPath = string | readonly (string | number)[];

/** A path a matcher was given, read once: its segments as strings (to compare) and how to show it. */
export interface ExpectedPath {
  readonly segments: readonly string[];
  readonly shown: string;
}

const EXPECTED = 'a path into the action: a dot-path such as "arguments.items[0].sku", or an array of keys and indices';

/**
 * Reads the path argument of `toRewrite` and `toHaveViolationAt`: a dot-path as
 * a policy's `field` is written, or segments as `violation.path` holds them
 * (`[]` is the action itself). A JSONPath is refused: a decision holds concrete
 * paths, and comparing against a pattern would pass or fail for the wrong reason.
 * Returns the reason when `path` is none of these; never throws, even on a hostile array.
 */
export function readPathArgument(path: unknown): ExpectedPath | string {
  try {
    return readPath(path);
  } catch {
    return `expected ${EXPECTED}, but reading the path threw`;
  }
}

function readPath(path: unknown): ExpectedPath | string {
  if (typeof path === 'string') {
    if (isJsonPath(path)) return `expected ${EXPECTED}, but received the JSONPath ${renderValue(path)}: name the concrete path`;
    try {
      return { segments: parseDotPath(path), shown: path };
    } catch (error) {
      if (error instanceof PathSyntaxError) return `expected ${EXPECTED}, but ${renderValue(path)} is not one: ${error.message}`;
      throw error;
    }
  }
  if (Array.isArray(path) && path.every((segment) => typeof segment === 'string' || (Number.isSafeInteger(segment) && segment >= 0))) {
    const segments = path as readonly (string | number)[];
    return { segments: segments.map(String), shown: formatPath(segments) };
  }
  return `expected ${EXPECTED}, but received ${renderValue(path)}`;
}

/** True when a decision's path (as strings) is the expected one. */
export function isSamePath(segments: readonly string[], expected: ExpectedPath): boolean {
  return segments.length === expected.segments.length && segments.every((segment, index) => segment === expected.segments[index]);
}
