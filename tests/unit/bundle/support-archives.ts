import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { buildBundleArchive } from '../../../src/index.js';
import { makeTree, summaryShapes } from './support.js';

/** An Ed25519 key pair for signing test bundles, and another that did not sign them. */
export const SIGNER = generateKeyPairSync('ed25519');
export const STRANGER = generateKeyPairSync('ed25519');

/**
 * A policy set whose one number, `bound`, shows which version decided: a cap
 * on `pay` and a shapes file (so a referenced file travels in every archive).
 */
export function boundTree(bound: number): Record<string, string> {
  return {
    'policies/pay.json': JSON.stringify({ id: 'pay.cap', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: bound } }),
    'policies/ticket.json': JSON.stringify({ id: 'ticket.summary', tools: ['ticket'], shapesFile: '../shapes/summary.ttl' }),
    'shapes/summary.ttl': summaryShapes(20),
  };
}

/** The `.tar.gz` bundle of {@link boundTree}, signed when a key is given, and its version. */
export async function boundArchive(bound: number, signingKey?: KeyObject): Promise<{ bytes: Uint8Array; version: string }> {
  const root = await makeTree(boundTree(bound));
  const built = await buildBundleArchive(join(root, 'policies'), signingKey === undefined ? {} : { signingKey });
  return { bytes: built.bytes, version: built.bundle.version };
}

/** A copy of `bytes` with one byte changed, as damage or tampering in transit would leave it. */
export function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}
