import { createPublicKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isGzip, readBundleArchive, writeBundleArchive } from '../bundle/archive-bundle.js';
import { readSigningKey } from '../bundle/bundle-keys.js';
import { serialiseManifest } from '../bundle/bundle-manifest.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { readRegularFile } from '../read-regular-file.js';
import { escapeTerminalText } from '../terminal-text.js';
import { readKeyFile } from './bundle-verification-args.js';
import type { CommandResult } from './check-command.js';
import { UsageError } from './usage-error.js';
import { writeAside } from './write-aside.js';

/**
 * `tierguard bundle sign <file.tar.gz> --sign-key <pem> [--out <file>]`: signs
 * an archive built without a key (so the key can live apart from the build,
 * in a release job): the archive is verified whole first, written again with
 * the same manifest and a `manifest.sig`, checked to verify with the key's
 * public half, and replaces the file (or is written to `--out`). A signature
 * already there is replaced. Exit 0, or 2 for an archive or key that is not right.
 */
export async function runBundleSign(args: readonly string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'sign-key': { type: 'string' }, out: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1) throw new UsageError('bundle sign takes one .tar.gz bundle');
  const keyFile = values['sign-key'];
  if (keyFile === undefined) throw new UsageError('--sign-key is required: the Ed25519 private key to sign with');
  const key = readSigningKey(await readKeyFile(keyFile), `--sign-key ${keyFile}`);
  const limits = { maxFileBytes: DEFAULT_LIMITS.maxFileBytes, maxDepth: DEFAULT_LIMITS.maxDepth };
  const bytes = await readRegularFile(file, limits.maxFileBytes);
  if (!isGzip(bytes)) throw new UsageError(`${file} is not a .tar.gz bundle: only an archive carries a signature`);
  const read = await readBundleArchive(bytes, file, limits);
  const signed = writeBundleArchive(read.content, key);
  // The signature must vouch for the manifest as it was, and the new archive must verify with the key.
  const same = serialiseManifest(signed.manifest).equals(serialiseManifest(read.manifest));
  await readBundleArchive(signed.bytes, file, { ...limits, publicKey: createPublicKey(key) });
  if (!same)
    throw new TierguardError('INVALID_BUNDLE', `${file}: its manifest did not survive being written again; nothing was signed`, { file });
  const out = values.out ?? file;
  await writeAside(out, signed.bytes);
  return { output: `signed ${escapeTerminalText(out)}: ${read.content.version}`, exitCode: 0 };
}
