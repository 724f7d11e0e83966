import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { LoadedBundle } from '../bundle/load-policies.js';
import { loadPolicies } from '../bundle/load-policies.js';
import { createEngine } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { TREE_BOUNDS, readReferencedTree } from '../read-referenced-tree.js';
import { escapeJsonForTerminal, escapeTerminalText } from '../terminal-text.js';
import { BUNDLE_VERIFICATION_OPTIONS, parseVerificationArgs, readVerificationArgs } from './bundle-verification-args.js';
import type { CommandResult } from './check-command.js';
import { describePolicyInput } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** The codes that mean "this bundle would not load": exit 1. Anything else (unreadable, a bad key, usage) is exit 2. */
const REFUSED: ReadonlySet<string> = new Set(['INVALID_BUNDLE', 'INVALID_POLICY', 'EMPTY_BUNDLE']);

/**
 * `tierguard bundle verify <file|url>`: loads the bundle exactly as
 * `--policies` would (verified whole: its hashes, and with `--public-key` its
 * signature) and compiles it, then reports its version, format, signature and
 * files. Exit 0 when it would load, 1 when it would be refused (tampered,
 * unsigned or wrongly signed, invalid policies), 2 when it cannot be read or
 * the command line is wrong. With `--json`, the report (or the refusal) is one
 * JSON document.
 */
export async function runBundleVerify(args: readonly string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...BUNDLE_VERIFICATION_OPTIONS, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  const [source] = positionals;
  if (source === undefined || positionals.length !== 1) throw new UsageError('bundle verify takes one bundle file or URL');
  const verification = await readVerificationArgs(parseVerificationArgs(values));
  const shown = describePolicyInput({ policies: source });
  try {
    const loaded = await loadPolicies(source, {}, verification);
    const { bundle } = loaded;
    if (bundle === undefined) throw new UsageError(`${source} is not a bundle: verify takes a .tar.gz or JSON bundle file, or its URL`);
    const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
    if (engine.version !== bundle.version) {
      throw new TierguardError('INVALID_BUNDLE', `${bundle.file}: compiles to ${engine.version}, not the ${bundle.version} it states`, {
        file: bundle.file,
        version: bundle.version,
        actual: engine.version,
      });
    }
    const files = await filesOf(bundle);
    if (values.json) {
      const report = {
        verified: true,
        source: shown,
        format: bundle.format,
        version: bundle.version,
        signature: bundle.signature,
        policies: engine.policyIds,
        files,
      };
      return { output: escapeJsonForTerminal(JSON.stringify(report, null, 2)), exitCode: 0 };
    }
    const counts = `${bundle.format}, ${engine.policyIds.length} policies, ${files.length} referenced files`;
    return { output: `verified ${escapeTerminalText(shown)}: ${bundle.version} (${counts}; ${describeSignature(bundle)})`, exitCode: 0 };
  } catch (error) {
    if (!isTierguardError(error) || !REFUSED.has(error.code)) throw error;
    if (values.json) {
      const report = { verified: false, source: shown, error: { code: error.code, message: error.message, details: error.details } };
      return { output: escapeJsonForTerminal(JSON.stringify(report, null, 2)), exitCode: 1 };
    }
    return { output: `not verified ${escapeTerminalText(shown)}: ${error.code}: ${escapeTerminalText(error.message)}`, exitCode: 1 };
  }
}

function describeSignature(bundle: LoadedBundle): string {
  if (bundle.signature === 'verified') return 'signature verified with the public key';
  if (bundle.signature === 'unchecked') return 'signed, signature not checked: give --public-key';
  return 'unsigned';
}

/** Each file the bundle carries, as written out for the engine: its path in the bundle, size and SHA-256. */
async function filesOf(bundle: LoadedBundle): Promise<{ path: string; bytes: number; sha256: string }[]> {
  const tree = await readReferencedTree(bundle.root, {
    ...TREE_BOUNDS,
    maxFiles: Number.MAX_SAFE_INTEGER,
    maxBytes: DEFAULT_LIMITS.maxFileBytes,
  });
  return tree.map(({ relative, content }) => ({
    path: relative,
    bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  }));
}
