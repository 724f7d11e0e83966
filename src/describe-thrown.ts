/**
 * What was thrown, in words, without trusting it: a hostile getter can throw a
 * null-prototype object, or an Error whose `message` getter throws in turn.
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error && typeof thrown.message === 'string') return thrown.message;
    return String(thrown);
  } catch {
    return 'a value that cannot be described';
  }
}
