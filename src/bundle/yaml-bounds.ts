import { Lexer } from 'yaml';
import type { CST } from 'yaml';

/**
 * Most lexical tokens a YAML policy file may have (about 60,000 values).
 * yaml's syntax tree and documents cost about 200 bytes of memory per byte of
 * dense input: a 16 MiB file within `limits.maxFileBytes` would need gigabytes,
 * so YAML gets this tighter bound on top, counted by the lexer before any tree
 * is built. A real policy file is a few thousand tokens.
 */
export const MAX_YAML_TOKENS = 250_000;

/** Which bound a YAML text broke before parsing, and where. */
export interface YamlBoundIssue {
  /** Where in the text the bound was crossed. */
  readonly offset: number;
  /** `maxDepth` for nesting, `tokens` for {@link MAX_YAML_TOKENS}. */
  readonly limit: 'maxDepth' | 'tokens';
}

// The lexer's markers for "a document starts", "a scalar follows" and "a flow ended early": not in the source.
const MARKERS: ReadonlySet<string> = new Set(['\u0002', '\u001f', '\u0018']);

/**
 * Scans the text with yaml's lexer, which keeps no tree and does not recurse,
 * counting tokens and the nesting that costs a byte or two per level: flow
 * brackets (`[[[[`) and the block indicators on one line (`- - - -`). What it
 * counts is never more than the real nesting, so `maxLevels` can be generous;
 * nesting by indentation costs quadratic bytes and is left to
 * {@link findTooDeepYaml} on the then small tree.
 */
export function scanYaml(text: string, maxLevels: number): YamlBoundIssue | undefined {
  let tokens = 0;
  let offset = 0;
  let flow = 0;
  let indicators = 0;
  for (const token of new Lexer().lex(text)) {
    tokens += 1;
    if (tokens > MAX_YAML_TOKENS) return { offset, limit: 'tokens' };
    if (token === '[' || token === '{') flow += 1;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else if (token === '-' || token === '?') indicators += 1;
    else if (token === '\n' || token === '\r\n') indicators = 0;
    if (flow + indicators > maxLevels) return { offset, limit: 'maxDepth' };
    if (!MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

/**
 * The offset of the first collection nested more than `maxLevels` deep in a
 * YAML syntax tree, or `undefined`. The `yaml` composer recurses once per level,
 * and near the stack limit Node 20 has been seen to abort the whole process (a
 * fatal "RegExpCompiler Allocation failed") rather than throw a RangeError. So
 * depth is measured on the syntax tree, which yaml's parser builds without
 * recursion, by a walk that does not recurse either, before anything is composed.
 */
export function findTooDeepYaml(tokens: readonly CST.Token[], maxLevels: number): number | undefined {
  const stack: { token: CST.Token; levels: number }[] = tokens.map((token) => ({ token, levels: 0 }));
  while (stack.length > 0) {
    const { token, levels } = stack.pop() as { token: CST.Token; levels: number };
    if (token.type === 'document') {
      if (token.value !== undefined) stack.push({ token: token.value, levels });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const inside = levels + 1;
    if (inside > maxLevels) return token.offset;
    for (const item of token.items as readonly CST.CollectionItem[]) {
      // A key can itself be a collection (`? [a, b]`); it nests as deep as a value.
      if (item.key !== undefined && item.key !== null) stack.push({ token: item.key, levels: inside });
      if (item.value !== undefined) stack.push({ token: item.value, levels: inside });
    }
  }
  return undefined;
}
