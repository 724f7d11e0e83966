import { isScalar, parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';

/** A key repeated in one YAML mapping: the key and where its second use starts. */
export interface YamlDuplicateKey {
  /** The key, as the engine would read it, when it is a scalar. */
  readonly key?: string;
  /** 1-based line of the repeated key, when yaml gives it. */
  readonly line?: number;
  /** 1-based column of the repeated key, when yaml gives it. */
  readonly column?: number;
}

/**
 * The first key repeated in one mapping of any document in `text`, or
 * `undefined`. Only duplicates are judged: other YAML errors are left to the
 * engine, whose YAML reader may differ. Its own module so the `yaml` package is
 * loaded only when a YAML artifact is checked.
 */
export function findYamlDuplicateKey(text: string): YamlDuplicateKey | undefined {
  for (const document of parseAllDocuments(text, { uniqueKeys: true })) {
    const duplicate = document.errors.find((problem) => problem.code === 'DUPLICATE_KEY');
    if (duplicate === undefined) continue;
    const where = duplicate.linePos?.[0];
    const key = keyAt(document, duplicate.pos[0]);
    return { ...(key === undefined ? {} : { key }), ...(where === undefined ? {} : { line: where.line, column: where.col }) };
  }
  return undefined;
}

/** The scalar key that starts at `offset`. */
function keyAt(document: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      found = String(pair.key.value);
      return visit.BREAK;
    },
  });
  return found;
}
