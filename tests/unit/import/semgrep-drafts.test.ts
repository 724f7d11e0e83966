import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { PolicyDefinition } from '../../../src/index.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/import/', import.meta.url));
const RULES = join(FIXTURES, 'semgrep-rules');

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { write: (text: string) => (out += text) }, { write: (text: string) => (err += text) });
  return { code, out, err };
}

describe('tierguard import semgrep', () => {
  it('prints one draft per rule, sorted, with severity, binding, blockOn, artifacts, scope and provenance', async () => {
    const { code, out, err } = await run(['import', 'semgrep', RULES]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const drafts = JSON.parse(out) as PolicyDefinition[];
    expect(drafts.map((draft) => [draft.id, draft.severity, draft.effect, draft.enforcement?.[0]?.blockOn])).toEqual([
      ['semgrep/no-console-log', 'soft', 'warn', 'warning'],
      ['semgrep/no-eval', 'hard', undefined, 'error'],
      ['semgrep/py-no-exec', 'hard', undefined, 'error'],
      ['semgrep/todo-comment', 'advisory', undefined, undefined],
    ]);
    const bindingPath = relative(process.cwd(), join(RULES, 'js-rules.yaml')).split('\\').join('/');
    expect(drafts[1]).toEqual({
      id: 'semgrep/no-eval',
      title: 'Do not call eval().',
      description: 'Do not call eval(). It runs arbitrary code.',
      severity: 'hard',
      scope: { languages: ['javascript', 'typescript'] },
      artifacts: ['*.cjs', '*.cts', '*.js', '*.jsx', '*.mjs', '*.mts', '*.ts', '*.tsx'],
      enforcement: [{ engine: 'semgrep', policy: bindingPath, options: { rule: 'no-eval' }, blockOn: 'error' }],
      provenance: { source: 'semgrep', ruleId: 'no-eval', license: 'MIT', url: 'https://semgrep.dev/r/javascript.no-eval' },
    });
    // paths.include wins over languages; a folded message gives its first sentence as title.
    expect(drafts[0]).toMatchObject({ title: 'Leave no console.log in shipped code; use the logger.', artifacts: ['src/**/*.js'] });
    // An advisory draft binds nothing and so selects no artifacts; a generic rule reads any file.
    expect(drafts[3]).toEqual({
      id: 'semgrep/todo-comment',
      title: 'A TODO is left in the code.',
      description: 'A TODO is left in the code.',
      severity: 'advisory',
      scope: { languages: ['generic'] },
      provenance: { source: 'semgrep', ruleId: 'todo-comment' },
    });
    expect(drafts[2]?.provenance?.url).toBe('https://docs.python.org/3/library/functions.html#exec');
  });

  it('writes the drafts under --out with bindings relative to it, refusing to overwrite unless --force', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tierguard-import-'));
    scratch.push(out);
    const first = await run(['import', 'semgrep', join(RULES, 'js-rules.yaml'), '--out', out]);
    expect(first.code).toBe(0);
    const file = join(out, 'semgrep-js-rules.json');
    expect(first.out).toBe(`wrote ${file}\n3 draft policies from ${join(RULES, 'js-rules.yaml')}\n`);
    const text = await readFile(file, 'utf8');
    const drafts = JSON.parse(text) as PolicyDefinition[];
    expect(drafts[0]?.enforcement?.[0]?.policy).toBe(relative(out, join(RULES, 'js-rules.yaml')).split('\\').join('/'));
    expect(text).toBe(`${JSON.stringify(drafts, null, 2)}\n`);

    await writeFile(file, 'edited by hand');
    const refused = await run(['import', 'semgrep', join(RULES, 'js-rules.yaml'), '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(`tierguard: IO_ERROR: refusing to overwrite ${file} (pass --force to replace)\n`);
    expect(await readFile(file, 'utf8')).toBe('edited by hand');
    const forced = await run(['import', 'semgrep', join(RULES, 'js-rules.yaml'), '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('exits 2 naming the file for a rule file that is not YAML, not rules, or has a rule it cannot convert', async () => {
    const cases: [string, string][] = [
      [join(FIXTURES, 'semgrep-not-yaml.yaml'), 'semgrep-not-yaml.yaml is not a Semgrep rule file: '],
      [join(FIXTURES, 'semgrep-broken'), 'no-severity.yaml: rules[0] (no-sev): "severity" must be one of CRITICAL, ERROR, HIGH'],
      [join(FIXTURES, 'semgrep-no-rules.yaml'), 'semgrep-no-rules.yaml is not a Semgrep rule file: it has no "rules" list'],
      [join(FIXTURES, 'no-such-rules'), 'no-such-rules does not exist or cannot be read'],
    ];
    for (const [given, says] of cases) {
      const { code, err } = await run(['import', 'semgrep', given]);
      expect(code).toBe(2);
      expect(err).toContain(says);
    }
    const dup = await mkdtemp(join(tmpdir(), 'tierguard-import-'));
    scratch.push(dup);
    const rule = 'rules:\n  - id: same\n    languages: [python]\n    severity: ERROR\n    message: m\n    pattern: x\n';
    await writeFile(join(dup, 'a.yaml'), rule);
    await writeFile(join(dup, 'b.yaml'), rule);
    const twice = await run(['import', 'semgrep', dup]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('b.yaml: rules[0]: rule id "same" is also in');
  });

  it('is a usage error without an engine, with an unknown one, or without a rule path', async () => {
    for (const args of [['import'], ['import', 'kyverno'], ['import', 'semgrep']]) {
      const { code, err } = await run(args);
      expect(code).toBe(2);
      expect(err).toContain('usage:');
    }
  });
});
