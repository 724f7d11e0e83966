import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** The built CLI, which the gateway e2e tests run as a user would. */
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
/** The reference filesystem server from npm (`@modelcontextprotocol/server-filesystem`, a dev dependency). */
export const FILESYSTEM_SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
const EXAMPLE = join(ROOT, 'examples', 'gateway', 'policies', 'filesystem.json');

/** What the project's README.md holds: an allowed read returns it. */
export const README_TEXT = 'hello from the project\n';
/** What `.env` holds: it must never reach a client. */
export const SECRET_TEXT = 'API_KEY=secret\n';

/** A temporary folder laid out for examples/gateway/policies, and the shipped policies pointed at it. */
export interface FilesystemProject {
  /** The folder the filesystem server is confined to: `project` and `outside` are in it. */
  readonly root: string;
  /** The example's `/srv/project`: README.md and .env are in it. */
  readonly project: string;
  /** Beside the project, inside the server's reach: only the policies keep writes out of it. */
  readonly outside: string;
  /** A folder holding examples/gateway/policies/filesystem.json with `/srv/project` changed to `project`. */
  readonly policies: string;
  /** The gateway's arguments after `bin.js`: `gateway --policies <policies> [extra...] -- node <server> <root>`. */
  readonly gatewayArgs: (extra?: readonly string[]) => string[];
  /** Removes the folder. */
  readonly remove: () => void;
}

/**
 * Lays out a project for the gateway example. Only the folder differs from
 * what the example ships: its `/srv/project` becomes a temporary one.
 */
export function createFilesystemProject(prefix: string): FilesystemProject {
  // The server resolves links (macOS's /tmp is one); policies see the paths the agent sends, so both use the real one.
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  const policies = join(root, 'policies');
  for (const folder of [project, outside, policies]) mkdirSync(folder);
  writeFileSync(join(project, 'README.md'), README_TEXT);
  writeFileSync(join(project, '.env'), SECRET_TEXT);
  writeFileSync(join(policies, 'filesystem.json'), readFileSync(EXAMPLE, 'utf8').replaceAll('/srv/project', project));
  return {
    root,
    project,
    outside,
    policies,
    // The server is confined to the whole temporary root, so only the policies keep writes inside the project.
    gatewayArgs: (extra = []) => ['gateway', '--policies', policies, ...extra, '--', process.execPath, FILESYSTEM_SERVER, root],
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
