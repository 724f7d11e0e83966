const CANONICAL_INDEX = /^(0|[1-9][0-9]*)$/;

/** True for a canonical array index ("0", "12"; not "01" or "-1"), the only keys an array answers to. */
export function isArrayIndex(segment: string): boolean {
  return CANONICAL_INDEX.test(segment);
}

/** Reads one fixed segment from a value; compiled once per path segment. */
export type Step = (container: unknown) => unknown;

/**
 * Compiles one step of a path. Only own properties are read, so `__proto__`,
 * `constructor` and `prototype` never reach inherited members; an array answers
 * only to canonical indices ("0", "12"), never to `length` or method names.
 * Whether the segment is an index is decided here, once, not on every read.
 */
export function compileStep(segment: string): Step {
  if (isArrayIndex(segment)) {
    const index = Number(segment);
    return (container) => {
      if (typeof container !== 'object' || container === null) return undefined;
      // Own elements only: a hole would otherwise read Array.prototype[index].
      if (Array.isArray(container)) return Object.hasOwn(container, index) ? (container[index] as unknown) : undefined;
      return Object.hasOwn(container, segment) ? (container as Record<string, unknown>)[segment] : undefined;
    };
  }
  if (segment === 'length') {
    return (container) =>
      typeof container === 'object' && container !== null && !Array.isArray(container) && Object.hasOwn(container, segment)
        ? (container as Record<string, unknown>)[segment]
        : undefined;
  }
  // An array's only own property that is not an index is `length`, so for any
  // other segment the own-property check alone keeps arrays out.
  return (container) =>
    typeof container === 'object' && container !== null && Object.hasOwn(container, segment)
      ? (container as Record<string, unknown>)[segment]
      : undefined;
}

/** Reads one segment without a compiled step, for slow paths (reporting). */
export function readOwn(container: unknown, segment: string): unknown {
  if (typeof container !== 'object' || container === null) return undefined;
  if (Array.isArray(container)) {
    return isArrayIndex(segment) && Object.hasOwn(container, segment) ? (container[Number(segment)] as unknown) : undefined;
  }
  return Object.hasOwn(container, segment) ? (container as Record<string, unknown>)[segment] : undefined;
}
