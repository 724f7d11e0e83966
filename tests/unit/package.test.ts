import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** Every module specifier a built file imports, followed through relative imports. */
function reachableImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|createRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? '';
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else packages.add(specifier.replace(/^node:/, ''));
    }
  }
  return { files, packages };
}

describe('package', () => {
  beforeAll(requireBuild);

  it('is an ESM package for Node 20 with an explicit exports map, a bin and no side effects', () => {
    expect(manifest.name).toBe('tierguard');
    expect(manifest.type).toBe('module');
    expect(manifest.engines.node).toBe('>=20');
    expect(manifest.sideEffects).toBe(false);
    expect(Object.keys(manifest.exports)).toEqual(['.', './schema/policy.json', './package.json']);
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
    const { packages } = reachableImports(join(ROOT, 'dist/index.js'));
    for (const heavy of ['child_process', 'n3', 'rdf-validate-shacl', '@modelcontextprotocol/sdk']) {
      expect([...packages].filter((name) => name === heavy || name.startsWith(`${heavy}/`))).toEqual([]);
    }
    // The static walk would miss a dynamic require; loading the entry settles it.
    const loaded = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await import('./dist/index.js'); console.log(JSON.stringify(process.moduleLoadList))"],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(loaded.status, loaded.stderr).toBe(0);
    const modules = JSON.parse(loaded.stdout) as string[];
    expect(modules.filter((name) => /child_process/.test(name))).toEqual([]);
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
