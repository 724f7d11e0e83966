import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bundleLoaded } from '../bundle/build-bundle.js';
import { describeFsError } from '../bundle/read-json.js';
import { createEngine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { CommandResult } from './check-command.js';
import { loadPolicyInput } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard bundle`. */
export const BUNDLE_USAGE = 'tierguard bundle (<file|dir> | --config <file> [--strict]) --out <file.json> [--allow-empty]';

/**
 * `tierguard bundle`: writes the policies at `<file|dir>` as one bundle file
 * (see `buildPolicyBundle`): the definitions, their sources and every file they
 * reference, with the version `engine.version` reports. The policies are
 * compiled first (exit 2 on an invalid one). The file is written beside its
 * final name and renamed into place, so a watcher polling it (`--policies
 * <file.json>`) never reads it half-written.
 */
export async function runBundle(args: readonly string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string' },
      'allow-empty': { type: 'boolean', default: false },
      config: { type: 'string' },
      strict: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.config === undefined ? positionals.length !== 1 : positionals.length !== 0) {
    throw new UsageError('bundle takes one policy file or directory, or --config <file>');
  }
  if (values.out === undefined) throw new UsageError('--out is required');
  const out = values.out;
  // With --config the bundle holds the set as served: the sources merged by precedence, invalid soft policies left out.
  const {
    loaded,
    engine: configured,
    notes,
  } = await loadPolicyInput({ policies: positionals[0], config: values.config, strict: values.strict }, values['allow-empty']);
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources });
  const { bundle, text } = await bundleLoaded(loaded, engine, DEFAULT_LIMITS.maxFileBytes);
  const aside = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(aside, text, { flag: 'wx' });
    await rename(aside, out);
  } catch (error) {
    await rm(aside, { force: true }).catch(() => undefined);
    throw new TierguardError('IO_ERROR', `${out}: cannot write: ${describeFsError(error)}`, { file: out }, { cause: error });
  }
  const counts = `${bundle.policies.length} policies, ${bundle.files.size} referenced files`;
  return {
    output: `wrote ${escapeTerminalText(out)}: ${bundle.version} (${counts})`,
    exitCode: 0,
    ...(notes.length > 0 ? { warnings: notes } : {}),
  };
}
