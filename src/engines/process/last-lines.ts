/**
 * The end of a long error output, where tools put the reason: the text itself
 * when it fits in `max` characters, else its last `max - 1` after `…`.
 */
export function lastLines(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
