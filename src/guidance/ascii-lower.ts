/**
 * `value` with `A`-`Z` lower-cased and every other character kept: the case rule
 * of scope matching. Locale-free and never changes a string's length, unlike
 * `toLowerCase` on the whole of Unicode (`İ`, `ẞ`), so two values are the same
 * selector exactly when they are the same bytes but for ASCII case.
 */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
