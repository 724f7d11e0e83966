import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPA_WASM_SDK_RANGE } from '../../src/engines/opa/opa-wasm-sdk.js';
import { MCP_PEER_RANGES } from '../../src/mcp/missing-peer.js';
import { ROOT, requireBuild } from '../support/paths.js';

/** The conditions of a code subpath: types, the ES module, the same for `require` where Node can, and the CommonJS stub. */
interface CodeExport {
  types: string;
  import: string;
  'module-sync': string;
  require: string;
}

interface Manifest {
  name: string;
  type: string;
  license: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  engines: { node: string };
  exports: Record<string, string | CodeExport>;
  bin: Record<string, string>;
  files: string[];
  sideEffects: boolean;
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Every module a built file imports statically, followed through relative imports. */
function staticImports(entry: string): { files: Set<string>; packages: Set<string>; lazy: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const lazy = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|createRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/gm,
    )) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? '';
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else packages.add(specifier.replace(/^node:/, ''));
    }
    for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) lazy.add(resolve(dirname(file), match[1] ?? ''));
  }
  return { files, packages, lazy };
}

/** The module URLs a child process loads while running `script` against the built package. */
function loadedModules(script: string): string[] {
  const record = join(mkdtempSync(join(tmpdir(), 'tierguard-loads-')), 'loads.txt');
  writeFileSync(record, '');
  const run = spawnSync(
    process.execPath,
    ['--no-warnings', '--import', join(ROOT, 'tests/support/record-loads.mjs'), '--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECORD_LOADS: record } },
  );
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(record, 'utf8').split('\n').filter(Boolean);
}

const HEAVY = ['child_process', 'n3', 'rdf-validate-shacl', '@modelcontextprotocol/sdk'];

/** The subpaths that hold code, each with its conditions. */
const CODE_EXPORTS = Object.entries(manifest.exports).filter((entry): entry is [string, CodeExport] => typeof entry[1] === 'object');

/** Runs a CommonJS script with node (and `flags`) in the package root, where `require('tierguard')` names this package. */
function runCommonJs(script: string, flags: readonly string[] = []): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--no-warnings', ...flags, '--input-type=commonjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
}

describe('package', () => {
  beforeAll(requireBuild);

  it('is an ESM package for Node 20 with an explicit exports map, a bin and no side effects', () => {
    expect(manifest.name).toBe('tierguard');
    expect(manifest.type).toBe('module');
    expect(manifest.engines.node).toBe('>=20');
    expect(manifest.sideEffects).toBe(false);
    expect(Object.keys(manifest.exports)).toEqual([
      '.',
      './testing',
      './mcp',
      './engines',
      './engines/opa',
      './engines/conftest',
      './engines/checkov',
      './engines/semgrep',
      './engines/testing',
      './otel',
      './schema/policy.json',
      './package.json',
    ]);
    expect(manifest.bin.tierguard).toBe('./dist/cli/bin.js');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'schema']));
  });

  it('points every export at a file that exists after the build', () => {
    for (const target of Object.values(manifest.exports)) {
      const paths = typeof target === 'string' ? [target] : [target.types, target.import, target['module-sync'], target.require];
      for (const path of paths) expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });

  it('gives every code subpath its types first, then import, module-sync and require, in that order', () => {
    // Node and TypeScript take the first condition that matches: types must come first for every consumer, and
    // `module-sync` (Node that can require ES modules) before `require` (the stub for a Node that cannot).
    for (const [subpath, target] of CODE_EXPORTS) {
      expect(Object.keys(target), subpath).toEqual(['types', 'import', 'module-sync', 'require']);
      expect(target['module-sync'], subpath).toBe(target.types.replace(/\.d\.ts$/, '.js'));
      expect(target.require, subpath).toMatch(/^\.\/dist\/cjs\/[a-z-]+\.cjs$/);
    }
    // Only tierguard/mcp imports through a different file: the entry that checks for its peer dependencies.
    expect(
      CODE_EXPORTS.filter(([, target]) => target.import !== target['module-sync']).map(([subpath, target]) => [subpath, target.import]),
    ).toEqual([['./mcp', './dist/mcp/peer-checked-entry.js']]);
  });

  it('answers require() of every subpath, on a Node that cannot require ES modules, with ERR_REQUIRE_ESM naming the subpath', () => {
    // The flag exists where require(esm) does (Node 20.19+, 22.12+); on an older Node it is the default behaviour.
    const flags = process.features.require_module === true ? ['--no-experimental-require-module'] : [];
    for (const [subpath] of CODE_EXPORTS) {
      const specifier = `tierguard${subpath.slice(1)}`;
      const run = runCommonJs(
        `try { require(${JSON.stringify(specifier)}); } catch (e) { console.log(JSON.stringify([e.code, e.message])); }`,
        flags,
      );
      expect(run.status, run.stderr).toBe(0);
      const [code, message] = JSON.parse(run.stdout) as [string, string];
      expect(code, specifier).toBe('ERR_REQUIRE_ESM');
      expect(message, specifier).toContain(`${specifier} is ESM-only and this Node (${process.version}) cannot require() an ES module`);
      expect(message, specifier).toContain(`load it with await import('${specifier}')`);
    }
  });

  it.runIf(process.features.require_module === true)('loads the same ES modules with require() where Node can', () => {
    const run = runCommonJs(
      [
        "const root = require('tierguard');",
        "const mcp = require('tierguard/mcp');",
        "Promise.all([import('tierguard'), import('tierguard/mcp')]).then(([r, m]) =>",
        '  console.log(JSON.stringify([root.createEngine === r.createEngine, mcp.guardServer === m.guardServer, Object.keys(mcp).sort().join() === Object.keys(m).sort().join()])));',
      ].join('\n'),
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([true, true, true]);
  });

  it('states its licence, repository, homepage and issue tracker, and ships the licence', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/tierguard/tierguard.git' });
    expect(manifest.homepage).toBe('https://github.com/tierguard/tierguard#readme');
    expect(manifest.bugs).toEqual({ url: 'https://github.com/tierguard/tierguard/issues' });
    const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(licence.split('\n')[0]).toBe('MIT License');
    expect(licence).toMatch(/^Copyright \(c\) \d{4} the tierguard authors$/m);
    expect(manifest.files).toContain('LICENSE');
  });

  it('builds when packed, not when installed, and builds itself for the demo and the tests', () => {
    // `prepare` would also run on every `npm install` of a clone and on an install from git (with the dev dependencies);
    // the package is built once, when packed or published, from an empty dist/ so no stale file ships.
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.prepack).toMatch(/rmSync\('dist'.*&& npm run build$/);
    expect(manifest.scripts.demo).toMatch(/^npm run build && /);
    // Built first: the tests that import tierguard by name type-check against dist/, which a fresh clone lacks.
    expect(manifest.scripts.test).toMatch(/^npm run build && .*vitest run$/);
  });

  it('compiles the package without source maps, since it does not ship src/', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(build.compilerOptions).toMatchObject({ sourceMap: false, declarationMap: false });
    expect(manifest.files).not.toContain('src');
  });

  it('declares its optional peer dependencies with the ranges its code and docs name', () => {
    // The peers of tierguard/mcp, the Wasm adapter and tierguard/testing (other subpaths add their own).
    expect(manifest.peerDependencies).toMatchObject({
      '@modelcontextprotocol/sdk': MCP_PEER_RANGES['@modelcontextprotocol/sdk'],
      '@open-policy-agent/opa-wasm': OPA_WASM_SDK_RANGE,
      // The matchers' types extend vitest's `Matchers`, which vitest reads from 3.2 on.
      vitest: '>=3.2',
      zod: MCP_PEER_RANGES.zod,
    });
    for (const name of Object.keys(manifest.peerDependencies))
      expect(manifest.peerDependenciesMeta[name], name).toEqual({ optional: true });
  });

  it('keeps the root entry free of child_process, RDF and the MCP SDK', () => {
    const { packages, lazy } = staticImports(join(ROOT, 'dist/index.js'));
    for (const heavy of HEAVY) {
      expect([...packages].filter((name) => name === heavy || name.startsWith(`${heavy}/`))).toEqual([]);
    }
    // Loaded on demand only: the formal tier for policy sets that use it (and an action's RDF for actionToRdf), the YAML parser for YAML files and YAML artifacts,
    // each engine's default adapter (which spawns processes) when a binding first needs it, and the HTTP client for bundle URLs.
    expect([...lazy].map((file) => file.slice(ROOT.length)).sort()).toEqual([
      'dist/bundle/fetch-bundle.js',
      'dist/bundle/parse-yaml.js',
      'dist/engines/artifact/find-yaml-duplicate-key.js',
      'dist/engines/checkov/index.js',
      'dist/engines/conftest/index.js',
      'dist/engines/opa/index.js',
      'dist/engines/semgrep/index.js',
      'dist/formal/action-turtle.js',
      'dist/formal/compile-formal.js',
    ]);
  });

  it('keeps tierguard/engines types-only: its built entry imports and runs nothing', () => {
    const { files, packages, lazy } = staticImports(join(ROOT, 'dist/engines/index.js'));
    expect([...files].map((file) => file.slice(ROOT.length))).toEqual(['dist/engines/index.js']);
    expect([...packages, ...lazy]).toEqual([]);
    expect(
      readFileSync(join(ROOT, 'dist/engines/index.js'), 'utf8')
        .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')
        .trim(),
    ).toBe('export {};');
  });

  it('loads the Wasm runtime and the MCP SDK from no adapter subpath until asked', () => {
    for (const subpath of ['opa', 'conftest', 'checkov', 'semgrep', 'testing']) {
      const { packages } = staticImports(join(ROOT, `dist/engines/${subpath}/index.js`));
      const heavy = [...packages].filter((name) => name.startsWith('@open-policy-agent/') || name.startsWith('@modelcontextprotocol/'));
      expect(heavy, subpath).toEqual([]);
    }
  });

  it('loads the OpenTelemetry API from tierguard/otel only when a sink is made, and the MCP SDK never', () => {
    const { packages, files } = staticImports(join(ROOT, 'dist/otel/index.js'));
    expect([...packages].filter((name) => name.startsWith('@opentelemetry/') || name.startsWith('@modelcontextprotocol/'))).toEqual([]);
    expect([...files].map((file) => file.slice(ROOT.length))).toContain('dist/otel/otel-packages.js');
    const source = readFileSync(join(ROOT, 'dist/otel/otel-packages.js'), 'utf8');
    expect([...source.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((match) => match[1])).toEqual([
      '@opentelemetry/api',
      '@opentelemetry/api-logs',
    ]);
  });

  it('loads no RDF module for an auto-only policy set, and loads the formal tier for a shape', () => {
    const evaluate = (policy: string) =>
      [
        "const { createEngine } = await import('tierguard');",
        `const engine = await createEngine({ policies: [${policy}] });`,
        "await engine.evaluate({ tool: 't', a: 1 });",
      ].join('\n');
    const autoOnly = loadedModules(evaluate("{ id: 'a', assert: { field: 'a', op: 'eq', value: 1 } }"));
    expect(autoOnly.filter((url) => HEAVY.some((name) => url.includes(`/node_modules/${name}/`) || url === `node:${name}`))).toEqual([]);
    const formal = loadedModules(evaluate("{ id: 'f', shape: { properties: [{ path: 'a', datatype: 'integer' }] } }"));
    expect(formal.some((url) => url.includes('/node_modules/n3/'))).toBe(true);
    expect(formal.some((url) => url.includes('/node_modules/rdf-validate-shacl/'))).toBe(true);
  });

  it('resolves its own exports by package name, as a user would', () => {
    const script = [
      "const { createEngine, OPERATORS } = await import('tierguard');",
      "const schema = (await import('tierguard/schema/policy.json', { with: { type: 'json' } })).default;",
      "const engine = await createEngine({ policies: [{ id: 'x', assert: { field: 'a', op: 'eq', value: 1 } }] });",
      "console.log(JSON.stringify([OPERATORS.length, schema.title, engine.evaluateAuto({ tool: 't', a: 2 }).verdict]));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([11, 'tierguard policy definition', 'deny']);
  });

  it('builds the API docs from the same entries as the exports map', () => {
    const typedoc = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    // The types of an entry are what TypeDoc documents (tierguard/mcp's runtime entry only loads the documented barrel).
    const typedEntries = CODE_EXPORTS.map(([, target]) => target.types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
    expect(typedoc.entryPoints).toEqual(typedEntries);
  });

  it('keeps the README Quick start to the two documented commands', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1];
    expect(block?.trim().split('\n')).toEqual(['npm install && npm run demo', 'npm test']);
    expect(manifest.scripts.demo).toMatch(/npm run build/);
    expect(manifest.scripts.test).toMatch(/vitest run/);
  });
});
