import { stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import { readRegularText } from '../../read-regular-file.js';
import type { Artifact, ArtifactFormat, EngineError } from '../types.js';
import { checkArtifactKeys, dataKindOf } from './check-artifact-keys.js';

/** The artifact as a file an engine can read. */
export interface MaterializedArtifact {
  /** Absolute path of the file to hand the engine. */
  readonly file: string;
  /** What messages should call it: the caller's own path, or the content's name. */
  readonly shownAs: string;
  /** The format given or implied by the name, if any. */
  readonly format?: ArtifactFormat;
}

/** File names for content without a `name`: engines pick their parser or language from them. */
const DEFAULT_NAMES: Readonly<Record<ArtifactFormat, string>> = {
  json: 'artifact.json',
  yaml: 'artifact.yaml',
  hcl: 'artifact.hcl',
  terraform: 'main.tf',
  'terraform-plan': 'tfplan.json',
  dockerfile: 'Dockerfile',
  javascript: 'artifact.js',
  typescript: 'artifact.ts',
  python: 'artifact.py',
  text: 'artifact.txt',
};

/** The formats tierguard knows how to hand to an engine. */
export const ARTIFACT_FORMATS: readonly ArtifactFormat[] = Object.freeze(Object.keys(DEFAULT_NAMES) as ArtifactFormat[]);

const FORMATS: ReadonlySet<string> = new Set(ARTIFACT_FORMATS);

/** True for a format tierguard knows how to hand to an engine. */
export function isArtifactFormat(format: unknown): format is ArtifactFormat {
  return typeof format === 'string' && FORMATS.has(format);
}

/**
 * The file name content without a `name` is written as, and so what the engine
 * (and an `artifacts` pattern) sees: `main.tf` for `terraform`, `artifact.json`
 * for `json`.
 */
export function defaultArtifactName(format: ArtifactFormat): string {
  return DEFAULT_NAMES[format];
}

/**
 * Makes an artifact a file: a file artifact is checked and used where it is; a
 * content artifact is written into `dir` (the run's private temp directory)
 * under its name. Returns an `INVALID_ARTIFACT` error, never throws, for a
 * missing file, an unsafe name, content of the wrong kind or over `maxBytes`,
 * and for JSON or YAML with a key repeated in one object (see
 * {@link checkArtifactKeys}): every adapter that runs an engine on a file
 * comes through here, so no engine reads such an artifact.
 */
export async function materializeArtifact(
  artifact: Artifact,
  dir: string,
  maxBytes: number,
): Promise<{ ok: true; artifact: MaterializedArtifact } | { ok: false; error: EngineError }> {
  const fail = (message: string): { ok: false; error: EngineError } => ({ ok: false, error: { code: 'INVALID_ARTIFACT', message } });
  try {
    if (typeof artifact !== 'object' || artifact === null) return fail('the artifact must be an object with a path or content');
    const format: unknown = artifact.format;
    if (format !== undefined && (typeof format !== 'string' || !FORMATS.has(format))) {
      return fail(`unknown artifact format ${JSON.stringify(format)} (known: ${[...FORMATS].join(', ')})`);
    }
    const known = format as ArtifactFormat | undefined;
    const hasPath = 'path' in artifact;
    const hasContent = 'content' in artifact;
    if (hasPath === hasContent) return fail('the artifact must have exactly one of path and content');

    if ('path' in artifact) {
      if (typeof artifact.path !== 'string' || artifact.path.length === 0) return fail('the artifact path must be a non-empty string');
      const file = resolve(artifact.path);
      let size: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) return fail(`the artifact ${artifact.path} is not a file`);
        size = info.size;
      } catch {
        return fail(`the artifact ${artifact.path} does not exist or cannot be read`);
      }
      if (size > maxBytes) return fail(`the artifact ${artifact.path} has ${size} bytes, more than the limit of ${maxBytes}`);
      const kind = dataKindOf(known, file);
      if (kind !== undefined) {
        let text: string;
        try {
          text = await readRegularText(file, maxBytes);
        } catch {
          return fail(`the artifact ${artifact.path} does not exist or cannot be read`);
        }
        const duplicate = await checkArtifactKeys(text, kind, artifact.path);
        if (duplicate !== undefined) return { ok: false, error: duplicate };
      }
      return { ok: true, artifact: { file, shownAs: artifact.path, ...(known === undefined ? {} : { format: known }) } };
    }

    const { content, name } = artifact;
    let text: string;
    let effective = known;
    if (typeof content === 'string') {
      if (effective === undefined && name === undefined)
        return fail('text content needs a format or a name, so the engine knows how to read it');
      text = content;
    } else {
      if (effective !== undefined && effective !== 'json' && effective !== 'terraform-plan') {
        return fail(`a JSON value cannot be given as format ${effective}; pass it as text`);
      }
      effective ??= 'json';
      text = JSON.stringify(content);
    }
    if (name !== undefined && (typeof name !== 'string' || !isPlainName(name))) {
      return fail(`the artifact name ${JSON.stringify(name)} must be a plain file name (no directories)`);
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) return fail(`the artifact content has ${bytes} bytes, more than the limit of ${maxBytes}`);
    const fileName = name ?? DEFAULT_NAMES[effective ?? 'text'];
    const kind = typeof content === 'string' ? dataKindOf(effective, fileName) : undefined;
    // A JSON value is serialised by JSON.stringify, which cannot repeat a key; text can.
    const duplicate = kind === undefined ? undefined : await checkArtifactKeys(text, kind, fileName);
    if (duplicate !== undefined) return { ok: false, error: duplicate };
    const file = join(dir, fileName);
    // wx: the directory is fresh and private, so an existing file means something is wrong.
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
    return { ok: true, artifact: { file, shownAs: fileName, ...(effective === undefined ? {} : { format: effective }) } };
  } catch (thrown) {
    return fail(`the artifact could not be prepared: ${describeThrown(thrown)}`);
  }
}

/** A name that stays inside the directory: no separators, not `.` or `..`, no NUL, not absurdly long. */
function isPlainName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && basename(name) === name && !/[\\/\0]/.test(name);
}
