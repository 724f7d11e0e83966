import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeThrown } from '../../describe-thrown.js';
import { readRegularText } from '../../read-regular-file.js';
import { checkArtifactKeys } from '../artifact/check-artifact-keys.js';
import type { Artifact, EngineError } from '../types.js';

/** An artifact as OPA's `input`: JSON text, ready to send or to hand to a Wasm policy. */
export interface OpaInput {
  /** The input document as JSON text. */
  readonly json: string;
  /** What messages call the artifact: the caller's path, or the content's name. */
  readonly shownAs: string;
}

const FORMATS = new Set(['json', 'yaml', 'terraform-plan']);

/**
 * Reads an artifact as OPA's input document without writing it anywhere, for
 * the modes that evaluate without a process (server and Wasm). Accepts what the
 * CLI mode accepts: JSON (a JSON value, JSON text, a `.json` file) and YAML (text
 * or a `.yaml`/`.yml` file, read as YAML 1.2 with the `yaml` package's alias
 * bound). JSON is checked, because a malformed document must be an
 * `INVALID_ARTIFACT` error, never some other input, and JSON or YAML with a
 * repeated key is refused, as by every adapter. Never throws.
 */
export async function readOpaInput(
  artifact: Artifact,
  maxBytes: number,
): Promise<{ readonly ok: true; readonly input: OpaInput } | { readonly ok: false; readonly error: EngineError }> {
  const fail = (message: string): { ok: false; error: EngineError } => ({ ok: false, error: { code: 'INVALID_ARTIFACT', message } });
  try {
    if (typeof artifact !== 'object' || (artifact as unknown) === null)
      return fail('the artifact must be an object with a path or content');
    const format: unknown = artifact.format;
    if (format !== undefined && typeof format !== 'string') return fail('the artifact format must be a string');
    if ('path' in artifact === 'content' in artifact) return fail('the artifact must have exactly one of path and content');

    if ('path' in artifact) {
      const given: unknown = artifact.path;
      if (typeof given !== 'string' || given.length === 0) return fail('the artifact path must be a non-empty string');
      const kind = kindOf(format, given);
      if (kind === undefined) return fail(`opa reads JSON or YAML input; ${given} is neither (give it a .json or .yaml name, or a format)`);
      let text: string;
      try {
        const file = resolve(given);
        const info = await stat(file);
        if (!info.isFile()) return fail(`the artifact ${given} is not a file`);
        if (info.size > maxBytes) return fail(`the artifact ${given} has ${info.size} bytes, more than the limit of ${maxBytes}`);
        // The stat above words the common refusals; this read checks the opened file again, so a swap in between cannot block it.
        text = await readRegularText(file, maxBytes);
      } catch {
        return fail(`the artifact ${given} does not exist or cannot be read`);
      }
      return await fromText(text, kind, given, fail);
    }

    const { content, name } = artifact;
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) return fail('the artifact name must be a non-empty string');
    if (typeof content === 'string') {
      const kind = kindOf(format, name);
      if (kind === undefined)
        return fail('opa reads JSON or YAML input; give text content a json or yaml format, or a .json or .yaml name');
      if (Buffer.byteLength(content, 'utf8') > maxBytes) return fail(`the artifact content is more than the limit of ${maxBytes} bytes`);
      return await fromText(content, kind, name ?? `artifact.${kind}`, fail);
    }
    if (format !== undefined && format !== 'json' && format !== 'terraform-plan')
      return fail(`a JSON value cannot be given as format ${String(format)}; pass it as text`);
    const json = JSON.stringify(content) as string | undefined;
    if (json === undefined) return fail('the artifact content is not a JSON value');
    if (Buffer.byteLength(json, 'utf8') > maxBytes) return fail(`the artifact content has more than the limit of ${maxBytes} bytes`);
    return { ok: true, input: { json, shownAs: name ?? 'artifact.json' } };
  } catch (thrown) {
    // JSON.stringify of a cyclic value, or a getter that throws.
    return fail(`the artifact could not be read: ${describeThrown(thrown)}`);
  }
}

/** `json` or `yaml` from the format, else from the name's extension; `undefined` for anything OPA does not read. */
function kindOf(format: unknown, name: string | undefined): 'json' | 'yaml' | undefined {
  if (format !== undefined) return format === 'yaml' ? 'yaml' : FORMATS.has(format as string) ? 'json' : undefined;
  const extension = name === undefined ? '' : extname(name).toLowerCase();
  return extension === '.json' ? 'json' : extension === '.yaml' || extension === '.yml' ? 'yaml' : undefined;
}

async function fromText(
  text: string,
  kind: 'json' | 'yaml',
  shownAs: string,
  fail: (message: string) => { ok: false; error: EngineError },
): Promise<{ ok: true; input: OpaInput } | { ok: false; error: EngineError }> {
  // The same check as every file-based adapter's, so a repeated key is refused in every mode with the same message.
  const refused = await checkArtifactKeys(text, kind, shownAs);
  if (refused !== undefined) return { ok: false, error: refused };
  try {
    if (kind === 'json') return { ok: true, input: { json: text, shownAs } };
    const json = JSON.stringify(parseYaml(text, { maxAliasCount: 100 }) ?? null);
    return { ok: true, input: { json, shownAs } };
  } catch (thrown) {
    return fail(`${shownAs} is not valid ${kind === 'json' ? 'JSON' : 'YAML'}: ${describeThrown(thrown)}`);
  }
}
