import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';
import { checkStatedResults, packedInstallSnippets, shellSteps } from '../support/readme-snippets.js';
import type { ReadmeSnippet } from '../support/readme-snippets.js';

/**
 * The done condition of the package: `npm pack`, installed into an empty project
 * (the registry, or npm's cache, for its dependencies; none of the optional
 * peers), runs every README example that claims to work there, as a user would.
 */

const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = npm.error === undefined && npm.status === 0 ? undefined : 'npm is not on PATH';

// Packing, installing and a nested vitest run take a while on a busy machine; nothing here is timed.
const SLOW_MS = 300_000;

const MARKED = ['intro.ts', 'check.sh', 'decide.cjs', 'require.cjs', 'payments.test.ts'];

interface PackedFile {
  readonly path: string;
}

let project: string;
let packedFiles: string[];
let snippets: ReadmeSnippet[];

/** The environment for the project's processes: without the outer vitest's variables, which would confuse the nested run. */
function projectEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'));
  return { ...env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(command: string, args: readonly string[], options: { cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, [...args], {
    cwd: options.cwd ?? project,
    encoding: 'utf8',
    env: projectEnv(),
    timeout: SLOW_MS,
  });
}

function snippet(file: string): ReadmeSnippet {
  const found = snippets.find((entry) => entry.file === file);
  if (found === undefined) throw new Error(`no README example is marked <!-- packed-install: ${file} -->`);
  return found;
}

/** Packs the built package (without its scripts: prepack would empty dist/ under the other tests) and installs it. */
function packAndInstall(): void {
  const destination = mkdtempSync(join(tmpdir(), 'tierguard-pack-'));
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: ROOT });
  expect(pack.status, pack.stderr).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as [{ filename: string; files: PackedFile[] }];
  packedFiles = packed.files.map(({ path }) => path).sort();

  project = join(destination, 'project');
  mkdirSync(join(project, 'readme'), { recursive: true });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }, null, 2)}\n`);
  // re2's install script fetches or compiles its native binary (minutes with node-gyp); every other dependency has none.
  // It is skipped here and the binary the checkout built for this same Node and re2 version is reused; otherwise it is rebuilt.
  const install = run('npm', ['install', join(destination, packed.filename), '--prefer-offline', '--ignore-scripts']);
  expect(install.status, install.stderr).toBe(0);
  provideRe2Binary();
  // tierguard/testing's example needs vitest: the checkout's own, linked rather than installed (it is large), like a user's dev dependency.
  symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
  writeFileSync(
    join(project, 'readme-checks.mjs'),
    [
      "import assert from 'node:assert/strict';",
      "// What a README example states it returns (`decision.verdict; // 'deny'`), checked.",
      'globalThis.__readmeExpect = (actual, stated, line) => assert.deepStrictEqual(actual, stated, `README: ${line}`);',
      '',
    ].join('\n'),
  );
}

function provideRe2Binary(): void {
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const installed = join(project, 'node_modules', 're2');
  const checkout = join(ROOT, 'node_modules', 're2');
  if (existsSync(join(checkout, 'build', 'Release', 're2.node')) && version(installed) === version(checkout)) {
    cpSync(join(checkout, 'build'), join(installed, 'build'), { recursive: true });
    return;
  }
  const nodePrefix = dirname(dirname(process.execPath));
  const rebuild = spawnSync('npm', ['rebuild', 're2'], {
    cwd: project,
    encoding: 'utf8',
    timeout: SLOW_MS,
    env: projectEnv(existsSync(join(nodePrefix, 'include', 'node')) ? { npm_config_nodedir: nodePrefix } : {}),
  });
  expect(rebuild.status, rebuild.stderr).toBe(0);
}

/** Saves a JavaScript or TypeScript example in the project with its stated results checked, as JavaScript node runs. */
function saveRunnable({ file, code }: ReadmeSnippet): { path: string; checks: number } {
  const checked = checkStatedResults(code);
  if (!file.endsWith('.ts')) {
    writeFileSync(join(project, 'readme', file), checked.code);
    return { path: join('readme', file), checks: checked.checks };
  }
  const javascript = ts.transpileModule(checked.code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const path = join('readme', file.replace(/\.ts$/, '.mjs'));
  writeFileSync(join(project, path), javascript);
  return { path, checks: checked.checks };
}

beforeAll(() => {
  if (skip !== undefined) return;
  requireBuild();
  snippets = packedInstallSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  packAndInstall();
}, SLOW_MS);

describe.skipIf(skip !== undefined)(`npm pack, installed into an empty project${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('ships dist/ (no source maps, no file without its source), schema/, shapes/ and the docs, and nothing else', () => {
    const stray = packedFiles.filter((path) => {
      if (['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(path)) return false;
      if (/^(schema|shapes)\//.test(path)) return false;
      // A built file must come from a source file: a stale one from a deleted module would ship otherwise.
      const source = /^dist\/(.+?)(\.d)?\.(js|ts|cjs|cts)$/.exec(path);
      if (source === null) return true;
      const [, stem, , extension] = source;
      const sourceExtension = extension === 'cjs' || extension === 'cts' ? 'cts' : 'ts';
      return !existsSync(join(ROOT, 'src', `${stem}.${sourceExtension}`));
    });
    expect(stray, 'files that are not the package, or built files without a source (rebuild from an empty dist/: npm run prepack)').toEqual(
      [],
    );
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'dist/index.js', 'dist/cjs/mcp.cjs', 'schema/policy.json']));
    expect(packedFiles.filter((path) => path.endsWith('.map') || /^(src|tests|examples|bench)\//.test(path))).toEqual([]);
  });

  it('finds every example the README marks as working in an installed project', () => {
    expect(snippets.map(({ file }) => file)).toEqual(expect.arrayContaining(MARKED));
    expect(new Set(snippets.map(({ file }) => file)).size).toBe(snippets.length);
    for (const { file, code } of snippets) expect(code, file).not.toMatch(/examples\//);
  });

  it('runs each JavaScript and TypeScript example with node, and each states what it returns truly', () => {
    const runnable = snippets.filter(({ file }) => /\.(mjs|cjs|ts)$/.test(file) && !file.endsWith('.test.ts'));
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    for (const example of runnable) {
      const { path, checks } = saveRunnable(example);
      // An example that states no result would prove only that it does not throw.
      expect(checks, `${example.file} (README line ${example.line}) states no result`).toBeGreaterThan(0);
      const result = run(process.execPath, ['--import', './readme-checks.mjs', path]);
      expect(result.status, `${example.file} (README line ${example.line}): ${result.stderr}`).toBe(0);
      expect(result.stderr, example.file).toBe('');
    }
  });

  it('type-checks the TypeScript examples against the installed types, the vitest matchers included', () => {
    const typed = snippets.filter(({ file }) => file.endsWith('.ts'));
    for (const { file, code } of typed) writeFileSync(join(project, 'readme', file), code);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true },
        include: typed.map(({ file }) => `readme/${file}`),
      }),
    );
    const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    expect(tsc.status, tsc.stdout).toBe(0);
  });

  it('runs the vitest example with vitest, every test passing', () => {
    const example = snippet('payments.test.ts');
    writeFileSync(join(project, 'readme', example.file), example.code);
    const names = [...example.code.matchAll(/^it\('([^']+)'/gm)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(0);
    const vitest = run(process.execPath, [
      join(project, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=verbose',
      `readme/${example.file}`,
    ]);
    expect(vitest.status, `${vitest.stdout}\n${vitest.stderr}`).toBe(0);
    for (const name of names) expect(vitest.stdout).toMatch(new RegExp(`✓ .*${name}`));
    expect(vitest.stdout).toMatch(new RegExp(`Tests\\s+${names.length} passed \\(${names.length}\\)`));
  });

  it('runs the shell examples, printing what the README shows', () => {
    const shells = snippets.filter(({ file }) => file.endsWith('.sh'));
    expect(shells.length).toBeGreaterThan(0);
    for (const example of shells) {
      for (const { command, output } of shellSteps(example.code)) {
        const result = run('sh', ['-c', command]);
        // 0 allow, 1 deny or escalate (README, CLI); 2 would be an error.
        expect(result.status, `${command}: ${result.stderr}`).toBeLessThan(2);
        expect(result.stderr, command).toBe('');
        expect(result.stdout, command).toBe(output);
      }
    }
  });

  it('answers require() with ERR_REQUIRE_ESM and the import() to use, where Node cannot require ES modules', () => {
    const flags = process.features.require_module === true ? ['--no-experimental-require-module'] : [];
    const script = "try { require('tierguard/mcp'); } catch (e) { console.log(JSON.stringify([e.code, e.message])); }";
    const result = run(process.execPath, [...flags, '--input-type=commonjs', '-e', script]);
    expect(result.status, result.stderr).toBe(0);
    const [code, message] = JSON.parse(result.stdout) as [string, string];
    expect(code).toBe('ERR_REQUIRE_ESM');
    expect(message).toContain('tierguard/mcp is ESM-only and this Node');
    expect(message).toContain("load it with await import('tierguard/mcp')");
  });

  it('without the MCP SDK, says how to install it from import() and from the CLI, and the rest works', () => {
    expect(existsSync(join(project, 'node_modules', '@modelcontextprotocol'))).toBe(false);
    const imported = run(process.execPath, [
      '--input-type=module',
      '-e',
      "await import('tierguard/mcp').then(() => console.log('loaded'), (e) => console.log(JSON.stringify([e.code, e.message.split('\\n')[0]])));",
    ]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual([
      'ERR_MODULE_NOT_FOUND',
      'tierguard/mcp needs its optional peer dependencies @modelcontextprotocol/sdk ^1.32 and zod ^3.25 || ^4: npm install @modelcontextprotocol/sdk zod',
    ]);
    writeFileSync(join(project, 'mcp-policy.json'), JSON.stringify({ id: 'p', assert: { field: 'a', op: 'eq', value: 1 } }));
    const served = run('npx', ['tierguard', 'mcp', '--policies', 'mcp-policy.json']);
    expect(served.status).toBe(2);
    expect(served.stderr.split('\n')[0]).toBe(
      'tierguard: tierguard mcp needs @modelcontextprotocol/sdk: npm install @modelcontextprotocol/sdk zod',
    );
  });
});
