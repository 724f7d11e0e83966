import { readPublicKey } from '../bundle/bundle-keys.js';
import type { BundleVerificationOptions } from '../bundle/bundle-verification.js';
import { readRegularFile } from '../read-regular-file.js';
import type { PolicyInputArgs } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** The `parseArgs` options of a command that loads bundles it may have to verify: `--public-key` and `--require-signature`. */
export const BUNDLE_VERIFICATION_OPTIONS = {
  'public-key': { type: 'string' },
  'require-signature': { type: 'boolean', default: false },
} as const;

/** The usage-line words of those options. */
export const BUNDLE_VERIFICATION_USAGE = '[--public-key <pem> [--require-signature]]';

/** The help-table rows of those options. */
export const BUNDLE_VERIFICATION_HELP: readonly (readonly [string, string])[] = [
  ['--public-key <pem>', 'the Ed25519 public key (PEM file) bundles must be signed with: only a signed .tar.gz bundle loads'],
  ['--require-signature', 'refuse to start without --public-key, so a lost key is an error, not hash-only checks'],
];

/** `--public-key` and `--require-signature` as parsed. */
export interface BundleVerificationArgs {
  /** The PEM file of the public key. */
  readonly publicKeyFile: string | undefined;
  readonly requireSignature: boolean;
}

/** A key file is a few hundred bytes; this is far more than any PEM key needs. */
const MAX_KEY_FILE_BYTES = 65_536;

/** The verification flags of a command line; `--require-signature` without `--public-key`, or either with `--config`, is a usage mistake. */
export function parseVerificationArgs(
  values: { readonly 'public-key'?: string | undefined; readonly 'require-signature'?: boolean | undefined },
  input?: PolicyInputArgs,
): BundleVerificationArgs {
  const publicKeyFile = values['public-key'];
  const requireSignature = values['require-signature'] === true;
  if (requireSignature && publicKeyFile === undefined)
    throw new UsageError('--require-signature needs --public-key, the key bundles must be signed with');
  if (publicKeyFile !== undefined && input?.config !== undefined)
    throw new UsageError('--public-key applies to --policies (a signed bundle), not to --config');
  return { publicKeyFile, requireSignature };
}

/** The verification options for `loadPolicies`/`watchPolicies`: the key file read (a regular file, bounded), its key checked there. */
export async function readVerificationArgs(args: BundleVerificationArgs): Promise<BundleVerificationOptions> {
  if (args.publicKeyFile === undefined) return {};
  // Checked here, so a bad key is named as the command line names it.
  const publicKey = readPublicKey(await readKeyFile(args.publicKeyFile), `--public-key ${args.publicKeyFile}`);
  return { publicKey, requireSignature: args.requireSignature };
}

/** A PEM key file's bytes (an `IO_ERROR` naming it when it cannot be read). */
export async function readKeyFile(path: string): Promise<Buffer> {
  return readRegularFile(path, MAX_KEY_FILE_BYTES);
}
