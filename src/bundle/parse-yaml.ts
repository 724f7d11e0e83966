import { Composer, LineCounter, Parser, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { TierguardError } from '../errors.js';
import { MAX_YAML_TOKENS, findTooDeepYaml, scanYaml } from './yaml-bounds.js';

/**
 * Most alias expansions a YAML document may perform (yaml's `maxAliasCount`:
 * references times the aliases inside what they reference). Enough to reuse a
 * predicate a few dozen times; a "billion laughs" file of nested aliases, a few
 * hundred bytes that would expand to gigabytes, is refused instead.
 */
export const MAX_YAML_ALIASES = 100;

/**
 * Only what JSON can say. The YAML 1.2 core schema resolves plain scalars to
 * strings, numbers, booleans and null (an unquoted `2024-01-01` stays a string,
 * whatever `%YAML` directive the file has); known tags of other types
 * (`!!timestamp`, `!!binary`, `!!set`, ...) and every custom tag are left
 * unresolved, which yaml reports as a warning that is refused below. Merge keys
 * (`<<`) would copy maps implicitly, so they are plain keys; every key is a string.
 */
const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  schema: 'core',
  customTags: [],
  resolveKnownTags: false,
  merge: false,
  uniqueKeys: true,
  stringKeys: true,
  strict: true,
  intAsBigInt: false,
};

/**
 * Parses a YAML policy file into the values of its documents (empty documents
 * skipped), each plain JSON data. Anything else is an `IO_ERROR` naming the file
 * and, where there is one, the line and column: a syntax error, a duplicate key,
 * a non-string key, a tag, an alias with no anchor, nesting deeper than
 * `maxDepth` collections below the top (a policy array's own level), more than
 * `MAX_YAML_TOKENS` tokens, too many alias expansions, or a value JSON cannot
 * hold (`.nan`, `.inf`).
 */
export function parseYaml(text: string, file: string, maxDepth: number): unknown[] {
  // Cost is bounded on the lexer's tokens before a tree is built, and nesting on
  // the tree (built without recursion) before the composer, which recurses, runs.
  const tooCostly = scanYaml(text, 2 * (maxDepth + 1));
  if (tooCostly !== undefined) {
    const reason =
      tooCostly.limit === 'maxDepth'
        ? `nested deeper than limits.maxDepth (${maxDepth})`
        : `more than ${MAX_YAML_TOKENS} YAML tokens (a policy file has a few thousand)`;
    throw syntaxError(file, positionIn(text, tooCostly.offset), reason, { limit: tooCostly.limit });
  }
  const lines = new LineCounter();
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const tooDeep = findTooDeepYaml(tokens, maxDepth + 1);
  if (tooDeep !== undefined) {
    throw syntaxError(file, positionOf(lines, tooDeep), `nested deeper than limits.maxDepth (${maxDepth})`, { limit: 'maxDepth' });
  }
  const values: unknown[] = [];
  for (const document of new Composer(OPTIONS).compose(tokens)) {
    const problem = [...document.errors, ...document.warnings].sort((left, right) => left.pos[0] - right.pos[0])[0];
    if (problem !== undefined) {
      const duplicate = problem.code === 'DUPLICATE_KEY' ? duplicateKeyAt(document, problem.pos[0]) : undefined;
      if (duplicate !== undefined) {
        const { key, pointer } = duplicate;
        throw syntaxError(
          file,
          positionOf(lines, problem.pos[0]),
          `duplicate key ${JSON.stringify(key)} at ${pointer} (${problem.message})`,
          {
            yamlCode: problem.code,
            key,
            pointer,
          },
        );
      }
      throw syntaxError(file, positionOf(lines, problem.pos[0]), problem.message, { yamlCode: problem.code });
    }
    if (isEmpty(document)) continue;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      const unresolved = firstUnresolvedAlias(document);
      if (unresolved !== undefined)
        throw syntaxError(
          file,
          positionOf(lines, unresolved.offset),
          `alias *${unresolved.name} has no anchor &${unresolved.name} before it`,
          {},
        );
      const reason = error instanceof Error ? error.message : String(error);
      const limit = /alias count/i.test(reason) ? ` (at most ${MAX_YAML_ALIASES} alias expansions)` : '';
      throw new TierguardError('IO_ERROR', `${file}: not valid YAML: ${reason}${limit}`, { file }, { cause: error });
    }
    requireJsonData(value, file, maxDepth);
    values.push(value);
  }
  return values;
}

/**
 * A document with nothing in it (`---` at the end of a file, or only comments):
 * yaml gives it a null scalar of no width. An explicit `~` or `null` is a value,
 * passed on for `createEngine` to report, as JSON `null` would be.
 */
function isEmpty(document: Document.Parsed): boolean {
  const { contents } = document;
  return contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1]);
}

/** Where an alias names no anchor: yaml reports it only when converting, without a position. */
function firstUnresolvedAlias(document: Document.Parsed): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(document, {
    Alias(_key, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      found = { name: alias.source, offset: alias.range?.[0] ?? 0 };
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * The key yaml reports as repeated at `offset`, and its JSON pointer: yaml's own
 * message ("Map keys must be unique") names neither.
 */
function duplicateKeyAt(document: Document.Parsed, offset: number): { key: string; pointer: string } | undefined {
  let found: { key: string; pointer: string } | undefined;
  visit(document, {
    Pair(_key, pair, path) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const segments: string[] = [];
      for (const [index, ancestor] of path.entries()) {
        if (isPair(ancestor) && isScalar(ancestor.key)) segments.push(String(ancestor.key.value));
        else if (isSeq(ancestor)) segments.push(String(ancestor.items.indexOf(path[index + 1])));
      }
      const key = String(pair.key.value);
      found = { key, pointer: [...segments, key].map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('') };
      return visit.BREAK;
    },
  });
  return found;
}

interface Position {
  readonly line: number;
  readonly column: number;
}

function syntaxError(file: string, { line, column }: Position, reason: string, details: Record<string, unknown>): TierguardError {
  return new TierguardError('IO_ERROR', `${file}:${line}:${column}: not valid YAML: ${reason}`, { file, line, column, ...details });
}

function positionOf(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  // A text with no newline has no line starts: it is all line 1.
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

/** The 1-based line and column of an offset, for a text that was never parsed into lines. */
function positionIn(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * Throws unless `root` is JSON data: plain objects, arrays, strings, finite
 * numbers, booleans and null, at most `maxDepth + 1` collections deep (aliases
 * can deepen what the syntax tree showed). Iterative, like the depth check.
 */
function requireJsonData(root: unknown, file: string, maxDepth: number): void {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value: root, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop() as { value: unknown; pointer: string; depth: number };
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    const isArray = Array.isArray(value);
    if (!isArray && (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)) {
      throw new TierguardError(
        'IO_ERROR',
        `${file}: not valid YAML for a policy: ${pointer || '/'} is ${describe(value)}, which JSON cannot hold`,
        {
          file,
          pointer,
        },
      );
    }
    if (depth > maxDepth) {
      throw new TierguardError(
        'IO_ERROR',
        `${file}: not valid YAML for a policy: ${pointer} is nested deeper than limits.maxDepth (${maxDepth})`,
        {
          file,
          pointer,
          limit: 'maxDepth',
        },
      );
    }
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, pointer: `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, depth: depth + 1 });
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'null-prototype object'}`;
  return `a ${typeof value}`;
}
