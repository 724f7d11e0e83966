import { KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describeThrown } from '../describe-thrown.js';
import { TierguardError } from '../errors.js';

/** An Ed25519 key as the operator gives it: PEM text (or its bytes), or a `KeyObject`. */
export type BundleKey = string | Uint8Array | KeyObject;

/** How long an Ed25519 signature is, in bytes. */
export const SIGNATURE_BYTES = 64;

/**
 * The Ed25519 public key to verify bundles with. A private key is accepted too
 * (its public half is used), since it verifies the same signatures. Anything
 * else (not a key, RSA, an encrypted key) is an `INVALID_OPTIONS` naming `option`.
 */
export function readPublicKey(key: BundleKey, option: string): KeyObject {
  return ed25519(option, 'public', () =>
    isKeyObject(key) ? (key.type === 'private' ? createPublicKey(key) : key) : createPublicKey(asPem(key)),
  );
}

/** The Ed25519 private key to sign bundles with; anything else is an `INVALID_OPTIONS` naming `option`. */
export function readSigningKey(key: BundleKey, option: string): KeyObject {
  return ed25519(option, 'private', () => (isKeyObject(key) ? key : createPrivateKey(asPem(key))));
}

/** The Ed25519 signature of `message` (deterministic: the same key and message always give the same 64 bytes). */
export function signBytes(message: Uint8Array, key: KeyObject): Buffer {
  return sign(null, message, key);
}

/** True when `signature` is `key`'s Ed25519 signature of `message`; a signature of the wrong length is false, never an exception. */
export function verifyBytes(message: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function ed25519(option: string, kind: 'public' | 'private', make: () => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch (error) {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `${option} is not a usable ${kind} key (PEM, unencrypted): ${describeThrown(error)}`,
      { option },
      { cause: error },
    );
  }
  if (key.type !== kind || key.asymmetricKeyType !== 'ed25519') {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `${option} must be an Ed25519 ${kind} key (openssl genpkey -algorithm ed25519), not ${key.asymmetricKeyType ?? key.type}`,
      { option },
    );
  }
  return key;
}

function isKeyObject(key: BundleKey): key is KeyObject {
  return key instanceof KeyObject;
}

function asPem(key: string | Uint8Array): string | Buffer {
  return typeof key === 'string' ? key : Buffer.from(key);
}
