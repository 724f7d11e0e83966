import { TierguardError } from '../errors.js';

/**
 * The error for a config file that cannot be used: `INVALID_OPTIONS` whose
 * message starts with the file and the JSON pointer of the value at fault, so a
 * person finds it at once; `details` holds both as data.
 */
export function configError(file: string, pointer: string, message: string, cause?: unknown): TierguardError<'INVALID_OPTIONS'> {
  return new TierguardError(
    'INVALID_OPTIONS',
    `${file}: ${pointer || '/'}: ${message}`,
    { file, option: pointer || '/', pointer },
    cause === undefined ? undefined : { cause },
  );
}

/** The JSON pointer of `key` under `pointer`, escaped as RFC 6901 says. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * Refuses the first own key of `value` not in `allowed`, with the closest
 * allowed key when one is near (`did you mean "precedence"?`) and the list.
 */
export function rejectUnknownKeys(value: object, allowed: readonly string[], file: string, pointer: string): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = closest(key, allowed);
    const hint = near === undefined ? '' : `did you mean "${near}"? `;
    throw configError(file, childPointer(pointer, key), `unknown key "${key}" (${hint}allowed: ${allowed.join(', ')})`);
  }
}

/** The allowed word within two edits of `word` (case aside), if there is one; the nearest wins. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}

/** Levenshtein distance; keys are short, and a long one is cut, so this stays cheap on hostile input. */
function editDistance(left: string, right: string): number {
  const a = left.slice(0, 64);
  const b = right.slice(0, 64);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
