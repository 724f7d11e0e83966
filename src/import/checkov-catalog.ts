import { TierguardError } from '../errors.js';

/** One check of Checkov's catalog in one framework, as `checkov --list` shows it. */
export interface CheckovCheck {
  /** The check id (`CKV_AWS_20`). */
  readonly id: string;
  /** The framework, as `--framework` names it (`terraform`, `cloudformation`, `azure_pipelines`). */
  readonly framework: string;
  /** What the check is called in that framework (Checkov names some checks differently per framework). */
  readonly name: string;
  /** The kind of entity it inspects (`resource`, `data`, `provider`, ...). */
  readonly type: string;
  /** The entities it inspects (Terraform `aws_s3_bucket`, Kubernetes `Pod`), sorted and unique. */
  readonly entities: readonly string[];
  /** Where its source is published, when Checkov says. */
  readonly link?: string;
}

const COLUMNS = ['Id', 'Type', 'Entity', 'Policy', 'IaC'] as const;
const CHECK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/**
 * Reads what `checkov --list` prints: a GitHub-style table (`| | Id | Type |
 * Entity | Policy | IaC | Resource Link |`), one row per check and entity; the
 * installed Checkov offers no other format (`--output json` is ignored). Rows
 * are folded into one check per id and framework, sorted by framework then id.
 * A `|` inside a check's name splits it into extra cells, which are joined back
 * into the name. Output without the table, or a row that cannot be read, is an
 * `IO_ERROR` naming `source` and the line.
 */
export function parseCheckovList(text: string, source: string): CheckovCheck[] {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.startsWith('|') && COLUMNS.every((column) => cells(line).includes(column)));
  const malformed = (line: number, why: string): TierguardError =>
    new TierguardError('IO_ERROR', `${source}: line ${line}: ${why}`, { file: source, line });
  if (headerAt < 0) throw malformed(1, 'no table of checks (with Id, Type, Entity, Policy and IaC columns) was printed');
  const header = cells(lines[headerAt] as string);
  const at = (column: string): number => header.indexOf(column);
  const nameAt = at('Policy');
  const linkAt = header.indexOf('Resource Link');
  const folded = new Map<string, { id: string; framework: string; name: string; type: string; entities: Set<string>; link?: string }>();
  for (let index = headerAt + 1; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (!line.startsWith('|')) break;
    if (/^\|[-:| ]*$/.test(line)) continue;
    let row = cells(line);
    if (row.length < header.length) throw malformed(index + 1, `a row of ${row.length} cells in a table of ${header.length} columns`);
    const extra = row.length - header.length;
    row = [...row.slice(0, nameAt), row.slice(nameAt, nameAt + extra + 1).join('|'), ...row.slice(nameAt + extra + 1)];
    const [id, type, entity, name, iac] = COLUMNS.map((column) => row[at(column)] ?? '');
    if (id === undefined || !CHECK_ID.test(id)) throw malformed(index + 1, `${JSON.stringify(id)} is not a check id`);
    if (name === undefined || name === '' || iac === undefined || iac === '')
      throw malformed(index + 1, `check ${id} has no name or framework`);
    const framework = iac.toLowerCase().replaceAll(' ', '_');
    // It names files the importer writes: nothing but a plain name gets there.
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(framework)) throw malformed(index + 1, `${JSON.stringify(iac)} is not a framework name`);
    const key = `${framework}\n${id}`;
    let check = folded.get(key);
    if (check === undefined) {
      const link = linkAt < 0 ? undefined : row[linkAt];
      check = { id, framework, name, type: type ?? '', entities: new Set(), ...(link ? { link } : {}) };
      folded.set(key, check);
    }
    // `*` is Checkov's "every entity" (Dockerfile checks): no entity to narrow a scope by.
    if (entity !== undefined && entity !== '' && entity !== '*') check.entities.add(entity);
  }
  return [...folded.values()]
    .map(({ entities, ...check }) => ({ ...check, entities: [...entities].sort() }))
    .sort((a, b) => compare(a.framework, b.framework) || compare(a.id, b.id));
}

function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split('|').map((cell) => cell.trim());
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
