import type { FieldReader } from '../path/field-reader.js';
import { compileFieldReader } from '../path/field-reader.js';
import { PathSyntaxError } from '../path/parse-path.js';
import { DefinitionIssue } from '../definition-issue.js';

/** Compiles a path found at `pointer` in a definition; a malformed path is a DefinitionIssue there. */
export function compileFieldAt(path: string, pointer: string): FieldReader {
  try {
    return compileFieldReader(path);
  } catch (error) {
    if (error instanceof PathSyntaxError) throw new DefinitionIssue(pointer, 'a dot-path or JSONPath', error.message, path);
    throw error;
  }
}
