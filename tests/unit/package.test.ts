import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

interface Manifest {
  name: string;
  type: string;
  engines: { node: string };
  exports: Record<string, string | { types: string; import: string }>;
  bin: Record<string, string>;
  files: string[];
  sideEffects: boolean;
  scripts: Record<string, string>;
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
      './schema/policy.json',
      './package.json',
    ]);
    expect(manifest.bin.tierguard).toBe('./dist/cli/bin.js');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'schema']));
  });

  it('points every export at a file that exists after the build', () => {
    for (const target of Object.values(manifest.exports)) {
      const paths = typeof target === 'string' ? [target] : [target.types, target.import];
      for (const path of paths) expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });

  it('keeps the root entry free of child_process, RDF and the MCP SDK', () => {
    const { packages, lazy } = staticImports(join(ROOT, 'dist/index.js'));
    for (const heavy of HEAVY) {
      expect([...packages].filter((name) => name === heavy || name.startsWith(`${heavy}/`))).toEqual([]);
    }
    // Loaded on demand only: the formal tier for policy sets that use it, the YAML parser for YAML files and YAML artifacts,
    // each engine's default adapter (which spawns processes) when a binding first needs it, and the HTTP client for bundle URLs.
    expect([...lazy].map((file) => file.slice(ROOT.length)).sort()).toEqual([
      'dist/bundle/fetch-bundle.js',
      'dist/bundle/parse-yaml.js',
      'dist/engines/artifact/find-yaml-duplicate-key.js',
      'dist/engines/checkov/index.js',
      'dist/engines/conftest/index.js',
      'dist/engines/opa/index.js',
      'dist/engines/semgrep/index.js',
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
    const typedEntries = Object.values(manifest.exports)
      .filter((target): target is { types: string; import: string } => typeof target === 'object')
      .map((target) => target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
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
