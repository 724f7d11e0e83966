/**
 * `make` remembered by its string argument: the first call with a key makes the
 * value, later ones return it. At most `limit` keys are kept; once full, a new
 * key is made afresh on each call, so the memory stays bounded whatever the keys.
 */
export function memoByKey<T>(make: (key: string) => T, limit: number): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    const known = made.get(key);
    if (known !== undefined) return known;
    const value = make(key);
    if (made.size < limit) made.set(key, value);
    return value;
  };
}
