import type { KeyObject } from 'node:crypto';
import { TierguardError } from '../errors.js';
import type { BundleKey } from './bundle-keys.js';
import { readPublicKey } from './bundle-keys.js';
import type { ParsedPolicies } from './parse-policy-texts.js';

/** How loaded bundles are verified beyond their content hash, which is always checked. */
export interface BundleVerificationOptions {
  /**
   * The Ed25519 public key (PEM text, or a `KeyObject`) every bundle must be
   * signed with. Given, only a `.tar.gz` bundle whose `manifest.sig` verifies
   * with it is loaded: an unsigned one, a JSON bundle, or policy files that are
   * no bundle at all are refused (`INVALID_BUNDLE`).
   */
  readonly publicKey?: BundleKey;
  /**
   * States that signatures are required, so that a configuration which lost its
   * `publicKey` fails (`INVALID_OPTIONS`) instead of quietly checking hashes only.
   */
  readonly requireSignature?: boolean;
}

/** Verification options checked: the key to verify with, if any. */
export interface ResolvedVerification {
  readonly publicKey?: KeyObject;
}

/** Checks verification options; a key that is not Ed25519, or `requireSignature` without a key, is an `INVALID_OPTIONS`. */
export function resolveVerification(options: BundleVerificationOptions): ResolvedVerification {
  const { publicKey, requireSignature } = options;
  if (requireSignature !== undefined && typeof requireSignature !== 'boolean') {
    throw new TierguardError('INVALID_OPTIONS', 'requireSignature must be a boolean', {
      option: 'requireSignature',
      actual: requireSignature,
    });
  }
  if (publicKey === undefined) {
    if (requireSignature === true) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        'requireSignature needs publicKey, the Ed25519 public key bundles must be signed with: a signature nobody checks proves nothing',
        { option: 'requireSignature' },
      );
    }
    return {};
  }
  return { publicKey: readPublicKey(publicKey, 'publicKey') };
}

/**
 * Refuses policies that were not verified against the public key, when one is
 * given: policy files, or a JSON bundle, carry no signature. (A signed archive
 * was already verified as it was read.) An `INVALID_BUNDLE` naming `label`.
 */
export function requireSignedPolicies(parsed: ParsedPolicies, verification: ResolvedVerification, label: string): void {
  if (verification.publicKey === undefined || parsed.bundle?.signature === 'verified') return;
  const what = parsed.bundle === undefined ? 'policy files, not a bundle' : 'a JSON bundle, which carries no signature';
  throw new TierguardError(
    'INVALID_BUNDLE',
    `${label} is ${what}: with a public key only a signed .tar.gz bundle (tierguard bundle build --sign-key) is loaded; nothing of it is used`,
    { file: label, expected: 'a .tar.gz bundle signed by the public key' },
  );
}
