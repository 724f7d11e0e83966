import { basename } from 'node:path';

/** Characters that end a path token when scanning backwards from a directory name. */
const DELIMITERS = new Set([' ', '\t', '\n', '\r', '"', "'", '`', '<', '>', '(', ')', '[', ']', '{', '}', ',', ';', '=']);

/**
 * Rewrites every mention of the given temporary directories out of `text`, so
 * an engine's message reads the same on every run: `/tmp/tierguard-engine-x1/main.tf:3`
 * becomes `main.tf:3`, and the directory itself becomes `.`. A mention is found
 * by the directory's base name (unique, as mkdtemp makes it), then widened to the
 * whole path token around it, so relative (`../../tmp/...`) and `file://` forms
 * go too. Linear in the length of `text`: it is engine output, and may be large.
 */
export function scrubPaths(text: string, dirs: readonly string[]): string {
  let result = text;
  for (const dir of dirs) {
    const name = basename(dir);
    if (name.length === 0) continue;
    result = scrubName(result, name);
  }
  return result;
}

function scrubName(text: string, name: string): string {
  let out = '';
  let copied = 0;
  let from = 0;
  for (;;) {
    const found = text.indexOf(name, from);
    if (found < 0) break;
    let end = found + name.length;
    const next = text[end];
    let replacement: string;
    if (next === '/' || next === '\\') {
      end += 1;
      replacement = '';
    } else if (next === undefined || DELIMITERS.has(next) || next === ':' || next === '.') {
      // `.` and `:` here end a sentence or start a `:line`; the directory itself is `.`.
      replacement = '.';
    } else {
      // A longer name that merely starts with ours: not a mention.
      from = found + 1;
      continue;
    }
    let start = found;
    while (start > copied) {
      const previous = text[start - 1];
      if (previous === undefined || DELIMITERS.has(previous)) break;
      start -= 1;
    }
    out += text.slice(copied, start) + replacement;
    copied = end;
    from = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
