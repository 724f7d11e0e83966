import { extname } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import { findJsonTextIssue } from '../../strict-json.js';
import type { EngineError } from '../types.js';

/** The data languages whose artifacts are checked before an engine reads them. */
export type DataKind = 'json' | 'yaml';

/**
 * `json` or `yaml` for an artifact whose format says so (`terraform-plan` is
 * JSON), or, without a format, whose file name ends `.json`, `.yaml` or `.yml`;
 * `undefined` for anything else (HCL, source code, text).
 */
export function dataKindOf(format: string | undefined, fileName: string | undefined): DataKind | undefined {
  if (format !== undefined) return format === 'json' || format === 'terraform-plan' ? 'json' : format === 'yaml' ? 'yaml' : undefined;
  const extension = fileName === undefined ? '' : extname(fileName).toLowerCase();
  return extension === '.json' ? 'json' : extension === '.yaml' || extension === '.yml' ? 'yaml' : undefined;
}

/**
 * Why a JSON or YAML artifact must not reach an engine, or `undefined`. A key
 * repeated in one object is refused: OPA and Checkov read the last of the two,
 * while the tool that later uses the artifact (Terraform, a deploy) may read the
 * first, so the artifact could pass the policy while meaning something else.
 * JSON that is not JSON at all is refused too, as its format claims otherwise.
 * The error is `INVALID_ARTIFACT`, naming the key and its line and column.
 * The `yaml` package is loaded only for YAML, so importing tierguard loads none of it.
 */
export async function checkArtifactKeys(text: string, kind: DataKind, shownAs: string): Promise<EngineError | undefined> {
  const refuse = (message: string): EngineError => ({ code: 'INVALID_ARTIFACT', message });
  if (kind === 'json') {
    // No depth bound of its own: the scan keeps an explicit stack, and the size is bounded by maxArtifactBytes.
    const issue = findJsonTextIssue(text, Number.POSITIVE_INFINITY);
    return issue === undefined
      ? undefined
      : refuse(`${shownAs} is not valid JSON: line ${issue.line}, column ${issue.column}: ${issue.reason}`);
  }
  try {
    const { findYamlDuplicateKey } = await import('./find-yaml-duplicate-key.js');
    const duplicate = findYamlDuplicateKey(text);
    if (duplicate === undefined) return undefined;
    const position = duplicate.line === undefined ? '' : `line ${duplicate.line}, column ${duplicate.column ?? 0}: `;
    return refuse(
      `${shownAs} is not valid YAML: ${position}duplicate key${duplicate.key === undefined ? '' : ` ${cut(JSON.stringify(duplicate.key))}`}`,
    );
  } catch (thrown) {
    return refuse(`${shownAs} could not be checked for duplicate keys: ${describeThrown(thrown)}`);
  }
}

/** A key cut for a message: a key may be megabytes long. */
function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…(${text.length} chars)` : text;
}
