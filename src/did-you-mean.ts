// Names longer than this are not compared: a typo report needs no quadratic work on a hostile name.
const MAX_COMPARED_LENGTH = 128;
// Candidates beyond this many are not looked at, however many a hostile schema lists.
const MAX_CANDIDATES = 10_000;

/**
 * The candidates closest to `name` by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours each cost 1), nearest first and then in
 * the order given, at most `count` of them and only those within a small
 * distance: a third of the name's length, at least 1 (0 for names shorter than
 * 3) and at most 3. A candidate
 * that differs only in case is always offered.
 */
export function closestNames(name: string, candidates: Iterable<string>, count = 3): string[] {
  if (name.length > MAX_COMPARED_LENGTH) return [];
  // One edit turns any name of one or two characters into many others: only a difference of case is offered for them.
  const allowed = name.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  const scored: { readonly candidate: string; readonly distance: number; readonly order: number }[] = [];
  let order = 0;
  for (const candidate of candidates) {
    if (order >= MAX_CANDIDATES) break;
    order += 1;
    if (candidate === name || candidate.length > MAX_COMPARED_LENGTH || Math.abs(candidate.length - name.length) > allowed) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance <= allowed) scored.push({ candidate, distance, order });
  }
  scored.sort((left, right) => left.distance - right.distance || left.order - right.order);
  return [...new Set(scored.map((entry) => entry.candidate))].slice(0, count);
}

/** ` (did you mean "a" or "b"?)`, or `''` when there is nothing to suggest. */
export function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return '';
  const quoted = names.map((name) => JSON.stringify(name));
  const last = quoted.pop() ?? '';
  return ` (did you mean ${quoted.length === 0 ? last : `${quoted.join(', ')} or ${last}`}?)`;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("pth" -> "path" is 1, "naem" -> "name" is 1).
function editDistance(left: string, right: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const cost = left.charAt(i - 1) === right.charAt(j - 1) ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && left.charAt(i - 1) === right.charAt(j - 2) && left.charAt(i - 2) === right.charAt(j - 1)) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[right.length] ?? 0;
}
