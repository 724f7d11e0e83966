import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createFilesystemProject } from '../support/filesystem-project.js';
import type { FilesystemProject } from '../support/filesystem-project.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * The README's gateway example as a user runs it: `tierguard gateway` with
 * examples/gateway/policies in front of the reference filesystem server from
 * npm (`@modelcontextprotocol/server-filesystem`, a dev dependency), driven by
 * the SDK's Client. Only the folder differs: the example's `/srv/project`
 * becomes a temporary one (tests/support/filesystem-project.ts).
 */

let fixture: FilesystemProject | undefined;
let project = '';
let outside = '';
let client: Client;

interface ToolResult {
  readonly isError?: boolean;
  readonly content?: readonly { readonly type: string; readonly text?: string }[];
  readonly _meta?: Record<string, unknown>;
}

const textOf = (result: ToolResult): string => (result.content ?? []).map((part) => part.text ?? '').join('\n');
const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> =>
  (await client.callTool({ name, arguments: args })) as ToolResult;

beforeAll(async () => {
  requireBuild();
  fixture = createFilesystemProject('tierguard-gateway-fs-');
  ({ project, outside } = fixture);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...fixture.gatewayArgs()],
    cwd: ROOT,
    stderr: 'pipe',
  });
  client = new Client({ name: 'e2e-filesystem', version: '0.0.0' });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close();
  fixture?.remove();
});

describe('tierguard gateway in front of @modelcontextprotocol/server-filesystem (examples/gateway)', () => {
  it('serves the server’s own tools and lets an allowed read through', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['read_text_file', 'write_file', 'move_file', 'read_multiple_files']));
    const read = await call('read_text_file', { path: join(project, 'README.md') });
    expect(read.isError).not.toBe(true);
    expect(textOf(read)).toContain('hello from the project');
  });

  it('refuses a read of .env, alone or among several, without the secret reaching the client', async () => {
    const single = await call('read_text_file', { path: join(project, '.env') });
    expect(single.isError).toBe(true);
    expect(textOf(single)).toContain('fs.no-dotenv-reads');
    const batch = await call('read_multiple_files', { paths: [join(project, 'README.md'), join(project, '.env')] });
    expect(batch.isError).toBe(true);
    expect(textOf(batch)).toContain('fs.no-dotenv-in-batch-reads');
    expect(textOf(single) + textOf(batch)).not.toContain('API_KEY');
  });

  it('writes inside the project and refuses a write outside it or through .., which never reaches the disk', async () => {
    const inside = join(project, 'notes.txt');
    expect((await call('write_file', { path: inside, content: 'kept' })).isError).not.toBe(true);
    expect(readFileSync(inside, 'utf8')).toBe('kept');

    const escaped = join(outside, 'escaped.txt');
    const refused = await call('write_file', { path: escaped, content: 'leak' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('fs.writes-inside-project');
    const dotted = await call('write_file', { path: `${project}/../outside/dotted.txt`, content: 'leak' });
    expect(dotted.isError).toBe(true);
    expect(existsSync(escaped)).toBe(false);
    expect(existsSync(join(outside, 'dotted.txt'))).toBe(false);
  });

  it('refuses a move out of the project, leaving the file where it was', async () => {
    const source = join(project, 'README.md');
    const refused = await call('move_file', { source, destination: join(outside, 'README.md') });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('fs.moves-inside-project');
    expect(existsSync(source)).toBe(true);
    expect(existsSync(join(outside, 'README.md'))).toBe(false);
  });
});
