import { parseArgs } from 'node:util';
import { archiveLoaded, bundleLoaded } from '../bundle/build-bundle.js';
import { readSigningKey } from '../bundle/bundle-keys.js';
import { isArchiveName } from '../bundle/policy-location.js';
import { createEngine } from '../engine.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import { readKeyFile } from './bundle-verification-args.js';
import { runBundleSign } from './bundle-sign-command.js';
import { runBundleVerify } from './bundle-verify-command.js';
import type { CommandResult } from './check-command.js';
import { loadPolicyInput } from './policy-input.js';
import { UsageError } from './usage-error.js';
import { writeAside } from './write-aside.js';

/** Usage of `tierguard bundle`: build (the default, as before subcommands), verify and sign. */
export const BUNDLE_USAGE =
  'tierguard bundle [build] (<file|dir> | --config <file> [--strict]) --out <file.json|file.tar.gz> [--format json|tar.gz] [--sign-key <pem>] [--allow-empty]' +
  ' | bundle verify <file|url> [--public-key <pem>] [--require-signature] [--json]' +
  ' | bundle sign <file.tar.gz> --sign-key <pem> [--out <file.tar.gz>]';

const SUBCOMMANDS: ReadonlyMap<string, (args: readonly string[]) => Promise<CommandResult>> = new Map([
  ['build', runBundleBuild],
  ['verify', runBundleVerify],
  ['sign', runBundleSign],
]);

/**
 * `tierguard bundle`: `build` (also when no subcommand is named, so
 * `tierguard bundle <dir> --out x.json` works as it always has), `verify` and
 * `sign`. A policy directory named like a subcommand is given as `./build`.
 */
export async function runBundle(args: readonly string[]): Promise<CommandResult> {
  const [first, ...rest] = args;
  const subcommand = first === undefined ? undefined : SUBCOMMANDS.get(first);
  return subcommand === undefined ? runBundleBuild(args) : subcommand(rest);
}

/**
 * `tierguard bundle build`: writes the policies at `<file|dir>` as one bundle
 * (see `buildPolicyBundle`): the definitions, their sources and every file they
 * reference, with the version `engine.version` reports. As JSON, or as a
 * `.tar.gz` archive (by the `--out` name, or `--format tar.gz`), which can be
 * signed (`--sign-key`). The policies are compiled first (exit 2 on an invalid
 * one). The file is written beside its final name and renamed into place, so
 * a watcher polling it (`--policies <file>`) never reads it half-written.
 */
async function runBundleBuild(args: readonly string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string' },
      format: { type: 'string' },
      'sign-key': { type: 'string' },
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
  const archive = archiveFormat(values.format, out);
  const signKeyFile = values['sign-key'];
  if (signKeyFile !== undefined && !archive) throw new UsageError('--sign-key signs a .tar.gz bundle: a JSON bundle carries no signature');
  // Read before the policies, so a bad key fails fast.
  const signingKey = signKeyFile === undefined ? undefined : readSigningKey(await readKeyFile(signKeyFile), `--sign-key ${signKeyFile}`);
  // With --config the bundle holds the set as served: the sources merged by precedence, invalid soft policies left out.
  const {
    loaded,
    engine: configured,
    notes,
  } = await loadPolicyInput({ policies: positionals[0], config: values.config, strict: values.strict }, values['allow-empty']);
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources });
  let summary: string;
  if (archive) {
    const built = await archiveLoaded(loaded, engine, {
      maxFileBytes: DEFAULT_LIMITS.maxFileBytes,
      maxDepth: DEFAULT_LIMITS.maxDepth,
      ...(signingKey === undefined ? {} : { signingKey }),
    });
    await writeAside(out, built.archive.bytes);
    const { bundle } = built;
    summary = `${bundle.version} (${bundle.policies.length} policies, ${bundle.files.size} referenced files, ${built.archive.signed ? 'signed' : 'unsigned'})`;
  } else {
    const { bundle, text } = await bundleLoaded(loaded, engine, DEFAULT_LIMITS.maxFileBytes);
    await writeAside(out, text);
    summary = `${bundle.version} (${bundle.policies.length} policies, ${bundle.files.size} referenced files)`;
  }
  return {
    output: `wrote ${escapeTerminalText(out)}: ${summary}`,
    exitCode: 0,
    ...(notes.length > 0 ? { warnings: notes } : {}),
  };
}

/** Whether to write an archive: `--format`, else the `--out` name (`.tar.gz`, `.tgz`); a format the name contradicts is a usage mistake. */
function archiveFormat(format: string | undefined, out: string): boolean {
  if (format === undefined) return isArchiveName(out);
  if (format !== 'json' && format !== 'tar.gz') throw new UsageError(`--format must be json or tar.gz, not "${format}"`);
  if (format === 'json' && isArchiveName(out)) throw new UsageError(`--format json contradicts the name ${out}: give it a .json name`);
  return format === 'tar.gz';
}
