import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FILESYSTEM_SERVER, README_TEXT, createFilesystemProject } from '../support/filesystem-project.js';
import type { FilesystemProject } from '../support/filesystem-project.js';
import { spawnHttpGateway } from '../support/gateway-process.js';
import { printedJson, runInspector, textOf } from '../support/inspector-cli.js';
import type { InspectorRun, InspectorTarget, PrintedToolResult } from '../support/inspector-cli.js';
import { requireBuild } from '../support/paths.js';

/**
 * The gateway example (examples/gateway/policies in front of
 * `@modelcontextprotocol/server-filesystem`) driven by a second, independent MCP
 * client: the MCP Inspector CLI, one process per request, as a user runs it
 * from a shell. Over stdio the Inspector launches `tierguard gateway` itself;
 * over HTTP it connects to a running `tierguard gateway --http`. The SDK
 * Client's run of the same example is gateway-filesystem.test.ts.
 */

/** A gateway the Inspector can reach, and how to stop it. */
interface Reachable {
  readonly target: InspectorTarget;
  /** What the gateway logged (over stdio the Inspector keeps it, so nothing). */
  readonly gatewayLog: () => string;
  readonly stop: () => Promise<void>;
}

const TRANSPORTS = {
  stdio: (fixture: FilesystemProject): Promise<Reachable> =>
    Promise.resolve({
      target: { command: process.execPath, args: [BIN, ...fixture.gatewayArgs()] },
      gatewayLog: () => '',
      stop: () => Promise.resolve(),
    }),
  http: async (fixture: FilesystemProject): Promise<Reachable> => {
    const gateway = await spawnHttpGateway([BIN, ...fixture.gatewayArgs(['--http', '--port', '0'])]);
    return {
      target: { url: gateway.url },
      gatewayLog: gateway.stderr,
      stop: async () => {
        if (gateway.child.exitCode !== null) return;
        const exited = once(gateway.child, 'exit');
        gateway.child.kill('SIGTERM');
        await exited;
      },
    };
  },
} as const;

/** `--tool-arg key=value` for each argument: the Inspector reads a value that parses as JSON as that JSON. */
const toolArgs = (args: Readonly<Record<string, string>>): string[] =>
  Object.entries(args).flatMap(([key, value]) => ['--tool-arg', `${key}=${value}`]);

describe.each(['stdio', 'http'] as const)('the MCP Inspector CLI drives tierguard gateway over %s (examples/gateway)', (transport) => {
  let fixture: FilesystemProject | undefined;
  let gateway: Reachable | undefined;
  const runs: InspectorRun[] = [];

  const project = (): FilesystemProject => {
    if (fixture === undefined) throw new Error('the project was not laid out');
    return fixture;
  };
  const inspect = async (options: readonly string[]): Promise<InspectorRun> => {
    if (gateway === undefined) throw new Error('the gateway did not start');
    const run = await runInspector(gateway.target, options);
    runs.push(run);
    return run;
  };
  const call = async (tool: string, args: Readonly<Record<string, string>>): Promise<PrintedToolResult> =>
    printedJson(await inspect(['--method', 'tools/call', '--tool-name', tool, ...toolArgs(args)])) as PrintedToolResult;
  const direct = (options: readonly string[]): Promise<InspectorRun> =>
    runInspector({ command: process.execPath, args: [FILESYSTEM_SERVER, project().root] }, options);
  const toolNames = (run: InspectorRun): string[] =>
    (printedJson(run) as { tools: readonly { name: string }[] }).tools.map((tool) => tool.name).sort();

  beforeAll(async () => {
    requireBuild();
    fixture = createFilesystemProject(`tierguard-inspector-${transport}-`);
    gateway = await TRANSPORTS[transport](fixture);
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    fixture?.remove();
  }, 60_000);

  it('lists the filesystem server’s own tools, as the server lists them without the gateway', async () => {
    const through = toolNames(await inspect(['--method', 'tools/list']));
    expect(through).toEqual(expect.arrayContaining(['read_text_file', 'read_multiple_files', 'write_file', 'edit_file']));
    expect(through).toEqual(toolNames(await direct(['--method', 'tools/list'])));
  });

  it('lets an allowed read through with the file’s content', async () => {
    const read = await call('read_text_file', { path: join(project().project, 'README.md') });
    expect(read.isError).not.toBe(true);
    expect(textOf(read)).toContain(README_TEXT.trim());
  });

  it('refuses a read of .env, alone or among several, naming the policy, and prints the secret nowhere', async () => {
    const { project: folder } = project();
    const single = await call('read_text_file', { path: join(folder, '.env') });
    expect(single.isError).toBe(true);
    expect(textOf(single)).toContain('tierguard denied');
    expect(textOf(single)).toContain('fs.no-dotenv-reads');
    // A list is a JSON value on the command line.
    const batch = await call('read_multiple_files', { paths: JSON.stringify([join(folder, 'README.md'), join(folder, '.env')]) });
    expect(batch.isError).toBe(true);
    expect(textOf(batch)).toContain('fs.no-dotenv-in-batch-reads');
    const printed = runs.map((run) => run.stdout + run.stderr).join('\n') + gateway?.gatewayLog();
    expect(printed).not.toContain('API_KEY');
  });

  it('writes inside the project and refuses a write outside it or through .., which never reaches the disk', async () => {
    const { project: folder, outside } = project();
    const inside = join(folder, 'notes.txt');
    expect((await call('write_file', { path: inside, content: 'kept' })).isError).not.toBe(true);
    expect(readFileSync(inside, 'utf8')).toBe('kept');

    const escaped = join(outside, 'escaped.txt');
    const refused = await call('write_file', { path: escaped, content: 'leak' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('fs.writes-inside-project');
    const dotted = await call('write_file', { path: `${folder}/../outside/dotted.txt`, content: 'leak' });
    expect(dotted.isError).toBe(true);
    expect(textOf(dotted)).toContain('fs.writes-inside-project');
    expect(existsSync(escaped)).toBe(false);
    expect(existsSync(join(outside, 'dotted.txt'))).toBe(false);
  });

  it('edits inside the project with nested arguments (a JSON --tool-arg) and refuses an edit outside, leaving the file as it was', async () => {
    const { project: folder, outside } = project();
    const edits = JSON.stringify([{ oldText: 'before', newText: 'after' }]);
    const inside = join(folder, 'edited.txt');
    writeFileSync(inside, 'before\n');
    expect((await call('edit_file', { path: inside, edits })).isError).not.toBe(true);
    expect(readFileSync(inside, 'utf8')).toBe('after\n');

    const guarded = join(outside, 'guarded.txt');
    writeFileSync(guarded, 'before\n');
    const refused = await call('edit_file', { path: guarded, edits });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('fs.writes-inside-project');
    expect(readFileSync(guarded, 'utf8')).toBe('before\n');
  });

  it('ends with exit 1 and the JSON-RPC error for a method the server does not serve, as without the gateway', async () => {
    const through = await inspect(['--method', 'resources/list']);
    const without = await direct(['--method', 'resources/list']);
    expect(without.status).toBe(1);
    expect(without.stderr).toContain('Method not found');
    expect(through.status).toBe(1);
    expect(through.stderr).toContain('Method not found');
  });
});
