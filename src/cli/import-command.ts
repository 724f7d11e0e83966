import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { TierguardError } from '../errors.js';
import { checkDrafts } from '../import/check-drafts.js';
import { checkovDraft, checkovDraftFiles } from '../import/checkov-drafts.js';
import { renderJson, writeDraftFiles } from '../import/draft-files.js';
import { readCheckovCatalog } from '../import/read-checkov-catalog.js';
import { semgrepDrafts } from '../import/semgrep-drafts.js';
import type { SemgrepRuleFile } from '../import/semgrep-drafts.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { TREE_BOUNDS, readReferencedTree } from '../read-referenced-tree.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { CommandResult } from './check-command.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard import`. */
export const IMPORT_USAGE =
  'tierguard import checkov [--framework <name>]... [--command <checkov>] [--out <dir>] [--force]\n' +
  '  tierguard import semgrep <rule file|dir> [--out <dir>] [--force]';

const RULE_FILE = /\.ya?ml$/;

/**
 * `tierguard import`: turns an engine's rule catalog into draft policies for a
 * person to enrich. Without `--out` the drafts are printed as one JSON array;
 * with it they are written as files, and an existing file is refused unless
 * `--force`. Exit 0 when done, 2 on a usage error or a catalog or rule file that
 * cannot be read.
 */
export async function runImport(args: readonly string[]): Promise<CommandResult> {
  const [engine, ...rest] = args;
  if (engine === 'checkov') return importCheckov(rest);
  if (engine === 'semgrep') return importSemgrep(rest);
  throw new UsageError(
    engine === undefined
      ? 'import needs an engine: checkov or semgrep'
      : `cannot import from "${escapeTerminalText(engine)}" (checkov or semgrep)`,
  );
}

async function importCheckov(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      framework: { type: 'string', multiple: true },
      command: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const catalog = await readCheckovCatalog({
    ...(values.command === undefined ? {} : { command: values.command }),
    ...(values.framework === undefined ? {} : { frameworks: values.framework }),
  });
  const from = `Checkov${catalog.version === undefined ? '' : ` ${catalog.version}`}`;
  const drafts = catalog.checks.map((check) => checkovDraft(check, catalog.version)).sort((a, b) => (a.id < b.id ? -1 : 1));
  checkDrafts(drafts, 'checkov --list');
  if (values.out === undefined) return { output: renderJson(drafts).trimEnd(), exitCode: 0 };
  const written = await writeDraftFiles(values.out, checkovDraftFiles(catalog.checks, catalog.version), values.force);
  return { output: report(written, `${catalog.checks.length} draft policies from ${from}`), exitCode: 0 };
}

async function importSemgrep(args: readonly string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, force: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  const [given, ...extra] = positionals;
  if (given === undefined) throw new UsageError('import semgrep needs a rule file or directory (the registry is not read)');
  if (extra.length > 0)
    throw new UsageError(`import semgrep takes one rule file or directory, not also "${escapeTerminalText(extra[0] ?? '')}"`);
  const drafts = semgrepDrafts(await readRuleFiles(given, values.out ?? '.'));
  checkDrafts(drafts, given);
  if (values.out === undefined) return { output: renderJson(drafts).trimEnd(), exitCode: 0 };
  const name = `semgrep-${basename(resolve(given))
    .replace(RULE_FILE, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  const written = await writeDraftFiles(values.out, [{ path: name, text: renderJson(drafts) }], values.force);
  return { output: report(written, `${drafts.length} draft policies from ${given}`), exitCode: 0 };
}

/**
 * The rule files at `given`: the file itself, or every `.yaml`/`.yml` below the
 * directory in sorted order, each with the path a binding in a draft written
 * to `outDir` reaches it by.
 */
async function readRuleFiles(given: string, outDir: string): Promise<SemgrepRuleFile[]> {
  const isDirectory = await stat(given).then(
    (info) => info.isDirectory(),
    () => false,
  );
  const tree = await readReferencedTree(given, { ...TREE_BOUNDS, maxBytes: DEFAULT_LIMITS.maxFileBytes });
  const files = tree.filter((file) => !isDirectory || RULE_FILE.test(file.relative));
  if (files.length === 0) throw new TierguardError('IO_ERROR', `${given} holds no Semgrep rule file (.yaml or .yml)`, { file: given });
  return files.map((file) => {
    const path = file.relative === '' ? given : join(given, ...file.relative.split('/'));
    const fromOut = relative(resolve(outDir), resolve(path));
    return { file: path, bindingPath: isAbsolute(fromOut) ? fromOut : fromOut.split(sep).join('/'), text: file.text };
  });
}

function report(written: readonly string[], summary: string): string {
  return [...written.map((file) => `wrote ${escapeTerminalText(file)}`), summary].join('\n');
}
