import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/**
 * The dependency rule of `src/`: data flows one way, from definitions through
 * the tiers to the engine and out to the CLI and MCP adapter, and a module never
 * imports from a layer above its own, nor takes part in an import cycle between
 * folders. Each layer is a list of "units": a folder of `src/`, or a module at
 * the root.
 */
const LAYERS: readonly (readonly string[])[] = [
  // The shared bottom: errors, limits, types, paths, JSON values, the regex seam, globs and the tool index.
  [
    'errors.ts',
    'limits.ts',
    'types.ts',
    'describe-thrown.ts',
    'evaluation-error.ts',
    'format-path.ts',
    'render-value.ts',
    'strict-json.ts',
    'terminal-text.ts',
    'read-regular-file.ts',
    'read-referenced-tree.ts',
    'file-content.ts',
    'check-options.ts',
    'json-values.ts',
    'definition-issue.ts',
    'decision-projection.ts',
    'did-you-mean.ts',
    'path',
    'regex',
    'glob',
  ],
  // Predicates and their operators, compiled once: the auto tier's checks and every rewrite's `when`.
  ['predicate'],
  // Rewrites run before any check.
  ['rewrite'],
  // Definitions: schema, the compiled policy and the compiled set; beside them, matching policies by scope for agents.
  ['policy', 'guidance'],
  // The tiers and the engine adapters.
  ['auto', 'formal', 'engines'],
  // One decision: enforcement bindings, verdicts and audit, its explanation, the engine that wires them.
  ['enforcement', 'effects', 'check-action.ts', 'action-pipeline.ts', 'decision-audit.ts', 'explain', 'engine.ts', 'action-rdf.ts'],
  // Policy sets from disk, config files (sources by precedence), the `tierguard test` runner, the vitest matchers, decisions as text, engine catalogs as drafts.
  ['bundle', 'config', 'policy-tests', 'testing', 'format', 'import'],
  // The adapters people run: the MCP guard, the CLI, and the OpenTelemetry sink (which shares the gateway's metric names);
  // beside them, lint, which checks policies against tool schemas as the gateway does.
  ['mcp', 'cli', 'otel', 'lint'],
  // The root entry re-exports from everywhere.
  ['index.ts'],
];

const SRC = join(ROOT, 'src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The unit a file belongs to: its top folder, or itself at the root. */
function unitOf(file: string): string {
  return relative(SRC, file).split(sep)[0] ?? file;
}

const layerOf = new Map(LAYERS.flatMap((units, layer) => units.map((unit) => [unit, layer] as const)));

/** Every import between two units, as `from -> to`, with the files that make it. */
function unitImports(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined) continue;
      const target = join(dirname(file), specifier.replace(/\.js$/, '.ts'));
      const from = unitOf(file);
      const to = unitOf(target);
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      const files = found.get(key) ?? [];
      if (!files.includes(relative(SRC, file))) files.push(relative(SRC, file));
      found.set(key, files);
    }
  }
  return found;
}

/** The units on a cycle of the unit graph, each cycle once, as `a -> b -> a`. */
function cycles(edges: readonly (readonly [string, string])[]): string[] {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const found = new Set<string>();
  const walk = (start: string, at: string, path: readonly string[]): void => {
    for (const to of next.get(at) ?? []) {
      if (to === start) {
        const ring = [...path];
        const first = ring.indexOf([...ring].sort()[0] ?? start);
        found.add([...ring.slice(first), ...ring.slice(0, first), ring[first]].join(' -> '));
      } else if (!path.includes(to) && to > start) {
        walk(start, to, [...path, to]);
      }
    }
  };
  for (const unit of next.keys()) walk(unit, unit, [unit]);
  return [...found].sort();
}

describe('the dependency rule of src/', () => {
  const imports = unitImports();

  it('places every module of src/ in a layer', () => {
    const units = new Set(sourceFiles(SRC).map(unitOf));
    expect([...units].filter((unit) => !layerOf.has(unit)).sort()).toEqual([]);
  });

  it('never imports from a layer above', () => {
    const upward = [...imports.keys()].filter((key) => {
      const [from, to] = key.split(' -> ') as [string, string];
      return (layerOf.get(from) ?? -1) < (layerOf.get(to) ?? -1);
    });
    expect(upward.map((key) => `${key} (${(imports.get(key) ?? []).join(', ')})`)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const edges = [...imports.keys()].map((key) => key.split(' -> ') as [string, string]);
    expect(cycles(edges)).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one (the checks themselves)', () => {
    expect(
      cycles([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'd'],
      ]),
    ).toEqual(['a -> b -> c -> a']);
    expect(
      cycles([
        ['a', 'b'],
        ['b', 'c'],
      ]),
    ).toEqual([]);
    expect(unitOf(join(SRC, 'rewrite', 'x.ts'))).toBe('rewrite');
    expect(unitOf(join(SRC, 'engine.ts'))).toBe('engine.ts');
    expect((layerOf.get('mcp') ?? 0) > (layerOf.get('engine.ts') ?? 0)).toBe(true);
  });
});
