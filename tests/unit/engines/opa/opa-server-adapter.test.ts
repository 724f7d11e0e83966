import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpaServerAdapter } from '../../../../src/engines/opa/opa-server-adapter.js';
import type { EngineVerdict } from '../../../../src/engines/types.js';
import { DECISIONS, INSTALL_OPA, S3_BINDING, S3_FAIL_VIOLATIONS, fixture } from './fixtures.js';
import { freePort, startOpaServer } from './opa-server.js';

const server = await startOpaServer();
const skip =
  server === undefined && process.env['TIERGUARD_REQUIRE_ENGINES'] !== '1'
    ? `opa could not be started as a server; to run these tests: ${INSTALL_OPA}`
    : undefined;
const scratch: string[] = [];
afterAll(async () => {
  await server?.stop();
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fake server answering every request with `answer`, for what a real OPA never does. */
async function fakeServer(answer: (respond: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const fake: Server = createServer((_request, response) => answer(response));
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const address = fake.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        fake.close(() => resolve());
        fake.closeAllConnections();
      }),
  };
}

describe('opa server adapter: options', () => {
  it('refuses a URL that is not an http(s) base URL', () => {
    for (const url of ['', 'localhost:8181', 'file:///x', 'http://h/?q=1', 42]) {
      expect(() => createOpaServerAdapter({ url } as never), String(url)).toThrow(/url must be the http\(s\) base URL/);
    }
  });

  it('is not available, saying how to start a server, when nothing listens', async () => {
    const adapter = createOpaServerAdapter({ url: `http://127.0.0.1:${await freePort()}` });
    const availability = await adapter.available();
    expect(availability.ok).toBe(false);
    expect(availability.reason).toMatch(
      /^no OPA server answers at http:\/\/127\.0\.0\.1:\d+\/health \(ECONNREFUSED\); start one with "opa run --server/,
    );
  });
});

describe('opa server adapter: hostile servers', () => {
  it('caps the answer, and reads non-JSON as INVALID_OUTPUT', async () => {
    const huge = await fakeServer((response) => response.end('x'.repeat(2_000_000)));
    const small = createOpaServerAdapter({ url: huge.url, uploadPolicies: false, limits: { maxStdoutBytes: 1_000 } });
    expect((await small.evaluate({ content: {} }, S3_BINDING)).error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const notJson = createOpaServerAdapter({ url: huge.url, uploadPolicies: false });
    expect((await notJson.evaluate({ content: {} }, S3_BINDING)).error?.code).toBe('INVALID_OUTPUT');
    await huge.close();
  });

  it('times out a server that never answers, and honours an abort', async () => {
    const silent = await fakeServer(() => undefined);
    const adapter = createOpaServerAdapter({ url: silent.url, uploadPolicies: false });
    expect((await adapter.evaluate({ content: {} }, S3_BINDING, { timeoutMs: 50 })).error?.code).toBe('TIMEOUT');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect((await adapter.evaluate({ content: {} }, S3_BINDING, { signal: controller.signal })).error?.code).toBe('ABORTED');
    await silent.close();
  });

  it('maps a prototype-laden answer by own properties only', async () => {
    const crafted = await fakeServer((response) =>
      response.end('{"__proto__":{"result":[]},"result":[{"__proto__":{"msg":"x"},"msg":"own"}]}'),
    );
    const verdict = await createOpaServerAdapter({ url: crafted.url, uploadPolicies: false }).evaluate({ content: {} }, S3_BINDING);
    expect(verdict.violations.map((v) => v.message)).toEqual(['own']);
    await crafted.close();
  });
});

describe('opa server adapter: waiting for an upload', () => {
  /** A fake OPA that holds every upload request until `release`, then answers as a real one would. */
  async function slowUploads(): Promise<{ url: string; release: () => void; uploadsStarted: () => number; close: () => Promise<void> }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let listings = 0;
    const fake: Server = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/v1/policies') listings += 1;
      const answer = (): void => {
        response.end(request.method === 'POST' ? '{"result":[]}' : request.method === 'GET' ? '{"result":[]}' : '{}');
      };
      if (request.method === 'POST') answer();
      else void released.then(answer);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const address = fake.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return {
      url: `http://127.0.0.1:${port}`,
      release,
      uploadsStarted: () => listings,
      close: () =>
        new Promise((resolve) => {
          fake.close(() => resolve());
          fake.closeAllConnections();
        }),
    };
  }

  it('lets each caller give up on its own signal or timeout while the upload carries on for the others', async () => {
    const fake = await slowUploads();
    const adapter = createOpaServerAdapter({ url: fake.url });
    const settled: string[] = [];
    const track = (name: string, verdict: Promise<EngineVerdict>): Promise<EngineVerdict> =>
      verdict.then((result) => {
        settled.push(name);
        return result;
      });
    // The first caller starts the upload with its own signal, then aborts: the waiters must not inherit that.
    const first = new AbortController();
    const starter = track('starter', adapter.evaluate({ content: {} }, S3_BINDING, { signal: first.signal }));
    const patient = track('patient', adapter.evaluate({ content: {} }, S3_BINDING));
    const impatient = new AbortController();
    const quitter = track('quitter', adapter.evaluate({ content: {} }, S3_BINDING, { signal: impatient.signal }));
    const hurried = track('hurried', adapter.evaluate({ content: {} }, S3_BINDING, { timeoutMs: 30 }));
    first.abort();
    impatient.abort();
    expect((await starter).error?.code).toBe('ABORTED');
    expect((await quitter).error?.code).toBe('ABORTED');
    expect((await hurried).error).toEqual({ code: 'TIMEOUT', message: 'the evaluation ran out of time while its policy was uploading' });
    // All three gave up while the upload was still held, and the patient caller still waits for it.
    expect(settled).toEqual(expect.arrayContaining(['starter', 'quitter', 'hurried']));
    expect(settled).not.toContain('patient');
    fake.release();
    const verdict = await patient;
    expect(verdict.error).toBeUndefined();
    expect(verdict.verdict).toBe('pass');
    expect(fake.uploadsStarted()).toBe(1);
    await fake.close();
  });

  it('abandons an upload nobody waits for, and starts afresh for the next caller', async () => {
    const fake = await slowUploads();
    const adapter = createOpaServerAdapter({ url: fake.url });
    const controller = new AbortController();
    const alone = adapter.evaluate({ content: {} }, S3_BINDING, { signal: controller.signal });
    controller.abort();
    expect((await alone).error?.code).toBe('ABORTED');
    const next = adapter.evaluate({ content: {} }, S3_BINDING);
    fake.release();
    expect((await next).verdict).toBe('pass');
    await fake.close();
  });
});

describe.skipIf(skip !== undefined)(
  `opa server adapter, against opa run --server${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    const url = server?.url ?? 'http://127.0.0.1:1';
    const opa = createOpaServerAdapter({ url });

    it('reports the server version', async () => {
      const availability = await opa.available();
      expect(availability.ok).toBe(true);
      expect(availability.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('uploads the binding policy and maps violations as the CLI does', async () => {
      const verdict = await opa.evaluate({ path: fixture('s3-fail.json') }, S3_BINDING);
      expect(verdict).toMatchObject({ verdict: 'fail', engine: 'opa', policy: S3_BINDING.policy });
      expect(verdict.violations).toEqual(S3_FAIL_VIOLATIONS);
      expect((await opa.evaluate({ path: fixture('s3-fail.yaml') }, S3_BINDING)).violations.map((v) => v.constraint)).toEqual([
        's3-public-acl',
      ]);
    });

    it('reads boolean and string results, and an undefined document is an error', async () => {
      expect((await opa.evaluate({ content: { limit: 5 } }, { ...DECISIONS, options: { result: 'allow' } })).verdict).toBe('pass');
      expect((await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, options: { result: 'allow' } })).verdict).toBe('fail');
      const strings = await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, query: 'data.decisions.messages' });
      expect(strings.violations.map((v) => [v.constraint, v.message])).toEqual([['data.decisions.messages', 'limit 500 is over 100']]);
      const undefinedDoc = await opa.evaluate(
        { content: { limit: 5 } },
        { ...DECISIONS, query: 'data.decisions.over_limit', options: { result: 'deny' } },
      );
      expect(undefinedDoc.error?.code).toBe('INVALID_BINDING');
    });

    it('refuses queries that are not a document path', async () => {
      const verdict = await opa.evaluate({ content: {} }, { ...S3_BINDING, query: 'data.s3.deny[x]' });
      expect(verdict.error?.code).toBe('INVALID_BINDING');
    });

    it('is an ENGINE_FAILED error with OPA’s message for a Rego file that does not compile', async () => {
      const verdict = await opa.evaluate({ content: {} }, { ...S3_BINDING, policy: fixture('broken.rego'), query: 'data.broken.deny' });
      expect(verdict.error).toEqual({
        code: 'ENGINE_FAILED',
        message:
          'opa server answered 400 uploading broken.rego: error(s) occurred while compiling module(s): rego_parse_error: unexpected } token (broken.rego:7)',
      });
    });

    it('is INVALID_ARTIFACT for malformed JSON', async () => {
      const verdict = await opa.evaluate({ content: '{"a":', format: 'json' }, S3_BINDING);
      expect(verdict.error?.code).toBe('INVALID_ARTIFACT');
    });

    it('uploads a directory whose files depend on each other, in whatever order compiles', async () => {
      const verdict = await opa.evaluate(
        { content: { limit: 500 } },
        { ...S3_BINDING, policy: fixture('with-lib'), query: 'data.withlib.deny' },
      );
      expect(verdict.violations.map((v) => v.message)).toEqual(['limit too big']);
    });

    it('re-uploads a policy when its content changes, and removes files that went away', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tierguard-opa-server-test-'));
      scratch.push(dir);
      // A package of its own: the server's data tree is shared, so another binding's withlib would answer too.
      const main = 'package changing\n\nimport rego.v1\n\ndeny contains "limit too big" if data.changing.helpers.too_big(input.limit)\n';
      await writeFile(join(dir, 'a-main.rego'), main);
      await writeFile(join(dir, 'b-helpers.rego'), 'package changing.helpers\n\nimport rego.v1\n\ntoo_big(n) if n > 100\n');
      const binding = { ...S3_BINDING, policy: dir, query: 'data.changing.deny' };
      expect((await opa.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('fail');
      await writeFile(join(dir, 'b-helpers.rego'), 'package changing.helpers\n\nimport rego.v1\n\ntoo_big(n) if n > 1000\n');
      expect((await opa.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('pass');
      // A stale module left behind would keep its rules in the package.
      await writeFile(join(dir, 'a-main.rego'), 'package changing\n\nimport rego.v1\n\ndeny contains "always" if true\n');
      await rm(join(dir, 'b-helpers.rego'));
      const last = await opa.evaluate({ content: { limit: 5 } }, binding);
      expect(last.error).toBeUndefined();
      expect(last.violations.map((v) => v.message)).toEqual(['always']);
      const listing = (await (await fetch(`${url}/v1/policies`)).json()) as { result: { raw: string }[] };
      expect(listing.result.filter((module) => module.raw.startsWith('package changing')).length).toBe(1);
    });

    it('evaluates policies the server already holds when told not to upload', async () => {
      const preloaded = createOpaServerAdapter({ url, uploadPolicies: false });
      const verdict = await preloaded.evaluate(
        { content: { limit: 500 } },
        { ...DECISIONS, policy: 'loaded-by-the-server', options: { result: 'allow' } },
      );
      expect(verdict).toMatchObject({ verdict: 'fail', policy: 'loaded-by-the-server' });
    });

    it('refuses to upload data documents into the shared server', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tierguard-opa-server-test-'));
      scratch.push(dir);
      await writeFile(join(dir, 'p.rego'), 'package withdata\n\nimport rego.v1\n\ndeny contains "x" if data.withdata.flag\n');
      await writeFile(join(dir, 'data.json'), '{"flag": true}');
      const verdict = await opa.evaluate({ content: {} }, { ...S3_BINDING, policy: dir, query: 'data.withdata.deny' });
      expect(verdict.error?.code).toBe('INVALID_BINDING');
      expect(verdict.error?.message).toMatch(/^server mode uploads Rego only/);
    });
  },
);
