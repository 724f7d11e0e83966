import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicies } from '../../../src/index.js';
import type { BundleServer } from './bundle-server.js';
import { startBundleServer } from './bundle-server.js';
import { SIGNER, STRANGER, boundArchive, flipByte } from './support-archives.js';
import { rejectionOf, removeTrees } from './support.js';

/** loadPolicies from a bundle URL: what it loads, and each way a server can fail it, each a clear error, nothing loaded. */

let server: BundleServer;
let good: { bytes: Uint8Array; version: string };

beforeAll(async () => {
  server = await startBundleServer();
  good = await boundArchive(100, SIGNER.privateKey);
});

afterAll(async () => {
  await server.close();
  await removeTrees();
});

describe('loadPolicies(url)', () => {
  it('loads a bundle from a loopback http URL, verified, with where it came from', async () => {
    server.set('/ok.tar.gz', { kind: 'bundle', bytes: good.bytes });
    const loaded = await loadPolicies(server.url('/ok.tar.gz?token=secret'));
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['pay.cap', 'ticket.summary']);
    expect(loaded.bundle).toMatchObject({ format: 'tar.gz', version: good.version, signature: 'unchecked' });
    // The query (a pre-signed URL's signature) never appears where it would be logged.
    expect(loaded.bundle?.file).toBe(server.url('/ok.tar.gz'));
    const verified = await loadPolicies(server.url('/ok.tar.gz'), {}, { publicKey: SIGNER.publicKey });
    expect(verified.bundle?.signature).toBe('verified');
  });

  it('refuses a bundle signed by another key, or unsigned, when a public key is given', async () => {
    server.set('/ok.tar.gz', { kind: 'bundle', bytes: good.bytes });
    const wrong = await rejectionOf(loadPolicies(server.url('/ok.tar.gz'), {}, { publicKey: STRANGER.publicKey }));
    expect(wrong.code).toBe('INVALID_BUNDLE');
    expect(wrong.message).toContain('manifest.sig does not verify');
    server.set('/unsigned.tar.gz', { kind: 'bundle', bytes: (await boundArchive(100)).bytes });
    const unsigned = await rejectionOf(loadPolicies(server.url('/unsigned.tar.gz'), {}, { publicKey: SIGNER.publicKey }));
    expect(unsigned.message).toContain('the bundle is not signed');
  });

  it('refuses tampered bytes, before anything is written out or compiled', async () => {
    // Byte 100 lies in the deflate stream: the gzip CRC or the manifest's digests catch it.
    server.set('/tampered.tar.gz', { kind: 'bundle', bytes: flipByte(good.bytes, 100) });
    const error = await rejectionOf(loadPolicies(server.url('/tampered.tar.gz')));
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.details.file).toBe(server.url('/tampered.tar.gz'));
  });

  it.each([404, 500, 503])('refuses a %d answer, naming the status', async (status) => {
    server.set('/status.tar.gz', { kind: 'status', status });
    const error = await rejectionOf(loadPolicies(server.url('/status.tar.gz')));
    expect(error.code).toBe('IO_ERROR');
    expect(error.details.status).toBe(status);
    expect(error.message).toContain(`the server answered ${status}`);
  });

  it('refuses a body cut short', async () => {
    server.set('/cut.tar.gz', { kind: 'truncated', bytes: good.bytes });
    const error = await rejectionOf(loadPolicies(server.url('/cut.tar.gz')));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toContain('cut short');
  });

  it('gives up on a server that never answers (idle timeout) and on one that drips bytes (total timeout)', async () => {
    server.set('/silent.tar.gz', { kind: 'silent' });
    const silent = await rejectionOf(loadPolicies(server.url('/silent.tar.gz'), {}, { remote: { idleTimeoutMs: 100 } }));
    expect(silent.code).toBe('IO_ERROR');
    expect(silent.message).toContain('the server sent nothing for 100 ms');
    server.set('/drip.tar.gz', { kind: 'drip', everyMs: 10 });
    const drip = await rejectionOf(loadPolicies(server.url('/drip.tar.gz'), {}, { remote: { timeoutMs: 300, idleTimeoutMs: 200 } }));
    expect(drip.code).toBe('IO_ERROR');
    expect(drip.message).toContain('no complete answer within 300 ms');
  });

  it('refuses a body larger than limits.maxFileBytes without reading it', async () => {
    server.set('/big.tar.gz', { kind: 'bundle', bytes: good.bytes });
    const error = await rejectionOf(loadPolicies(server.url('/big.tar.gz'), { maxFileBytes: 64 }));
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toContain('more than limits.maxFileBytes (64)');
  });

  it('refuses a body that is no bundle', async () => {
    server.set('/policy.json', { kind: 'bundle', bytes: Buffer.from(JSON.stringify({ id: 'x', tools: ['t'] })) });
    const error = await rejectionOf(loadPolicies(server.url('/policy.json')));
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.message).toContain('a .tar.gz archive or a JSON bundle');
  });

  it('follows a redirect on loopback, and refuses one to plain http elsewhere', async () => {
    server.set('/ok.tar.gz', { kind: 'bundle', bytes: good.bytes });
    server.set('/moved.tar.gz', { kind: 'redirect', location: '/ok.tar.gz' });
    expect((await loadPolicies(server.url('/moved.tar.gz'))).bundle?.version).toBe(good.version);
    server.set('/away.tar.gz', { kind: 'redirect', location: 'http://example.com/bundle.tar.gz' });
    const error = await rejectionOf(loadPolicies(server.url('/away.tar.gz')));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('plain http to example.com');
  });

  it.each([
    ['http://example.com/bundle.tar.gz', 'plain http to example.com'],
    ['ftp://127.0.0.1/bundle.tar.gz', 'ftp: URLs are not fetched'],
    ['https://user:secret@example.com/bundle.tar.gz', 'carries credentials in the URL'],
    ['https://exa mple.com/', 'is not a valid URL'],
  ])('refuses %s before any request', async (url, message) => {
    const error = await rejectionOf(loadPolicies(url));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('secret');
  });

  it('refuses a URL or an archive among other sources: a bundle is a whole set', async () => {
    expect((await rejectionOf(loadPolicies(['policies', server.url('/ok.tar.gz')]))).code).toBe('INVALID_OPTIONS');
    expect((await rejectionOf(loadPolicies(['policies', 'vendor/set.tar.gz']))).code).toBe('INVALID_BUNDLE');
  });

  it('refuses requireSignature without a public key, and a key that is not Ed25519', async () => {
    const missing = await rejectionOf(loadPolicies(server.url('/ok.tar.gz'), {}, { requireSignature: true }));
    expect(missing.code).toBe('INVALID_OPTIONS');
    expect(missing.message).toContain('requireSignature needs publicKey');
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const notEd = await rejectionOf(loadPolicies(server.url('/ok.tar.gz'), {}, { publicKey: rsa.publicKey }));
    expect(notEd.code).toBe('INVALID_OPTIONS');
    expect(notEd.message).toContain('must be an Ed25519 public key');
    const garbage = await rejectionOf(loadPolicies(server.url('/ok.tar.gz'), {}, { publicKey: 'not a key' }));
    expect(garbage.code).toBe('INVALID_OPTIONS');
  });
});
