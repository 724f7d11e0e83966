import { describe, expect, it } from 'vitest';
import type { SourcedDefinition } from '../../../src/config/merge-sources.js';
import { mergeSources } from '../../../src/config/merge-sources.js';

const ORG = { name: 'org', precedence: 100 };
const TEAM = { name: 'team', precedence: 50 };
const VENDOR = { name: 'vendor', precedence: 10 };

function entry(source: { name: string; precedence: number }, local: string, rest: Record<string, unknown> = {}): SourcedDefinition {
  return { definition: { id: `${source.name}/${local}`, ...rest }, localId: local, file: `${source.name}/p.json`, source };
}

const capAt = (value: number) => ({ tools: ['pay'], assert: { field: 'amount', op: 'lte', value } });
const served = (entries: readonly SourcedDefinition[]) =>
  mergeSources(entries).served.map((index) => (entries[index]?.definition as { id: string }).id);

describe('mergeSources', () => {
  it('serves definitions with different local ids side by side', () => {
    const entries = [entry(ORG, 'a', capAt(1)), entry(TEAM, 'b', capAt(1))];
    expect(served(entries)).toEqual(['org/a', 'team/b']);
    expect(mergeSources(entries).conflicts).toEqual([]);
  });

  it('lets a lower source tighten a higher rule: the lower replaces it', () => {
    const entries = [entry(ORG, 'cap', capAt(100)), entry(TEAM, 'cap', capAt(50))];
    const result = mergeSources(entries);
    expect(served(entries)).toEqual(['team/cap']);
    expect(result.conflicts).toEqual([]);
    expect(result.replacements).toEqual([
      {
        localId: 'cap',
        replaced: { id: 'org/cap', file: 'org/p.json', source: 'org', precedence: 100 },
        by: { id: 'team/cap', file: 'team/p.json', source: 'team', precedence: 50 },
      },
    ]);
  });

  it('refuses a weaker lower definition: a conflict with both ids, both files and the reasons; the higher stays', () => {
    const entries = [entry(TEAM, 'cap', capAt(200)), entry(ORG, 'cap', capAt(100))];
    const result = mergeSources(entries);
    expect(served(entries)).toEqual(['org/cap']);
    expect(result.conflicts).toHaveLength(1);
    const [conflict] = result.conflicts;
    expect(conflict).toMatchObject({
      localId: 'cap',
      kind: 'weaker',
      higher: { id: 'org/cap', file: 'org/p.json' },
      lower: { id: 'team/cap', file: 'team/p.json' },
    });
    expect(conflict?.message).toMatch(
      /team\/cap \(team\/p\.json.*may relax org\/cap \(org\/p\.json.*lte 100 became lte 200.*org\/cap stays in force/,
    );
  });

  it('refuses an undecidable lower definition as a conflict too', () => {
    const entries = [entry(ORG, 'cap', capAt(100)), entry(TEAM, 'cap', { ...capAt(100), when: { field: 'a', op: 'eq', value: 1 } })];
    expect(served(entries)).toEqual(['org/cap']);
    expect(mergeSources(entries).conflicts[0]?.kind).toBe('undecidable');
  });

  it('serves an identical lower definition once, under the higher id, with no conflict', () => {
    const entries = [entry(ORG, 'cap', capAt(100)), entry(TEAM, 'cap', capAt(100))];
    expect(served(entries)).toEqual(['org/cap']);
    expect(mergeSources(entries).conflicts).toEqual([]);
  });

  it('reports equal precedence as ambiguous and keeps both in force', () => {
    const other = { name: 'other', precedence: 100 };
    const entries = [entry(ORG, 'cap', capAt(100)), entry(other, 'cap', capAt(50))];
    const result = mergeSources(entries);
    expect(served(entries)).toEqual(['org/cap', 'other/cap']);
    expect(result.conflicts.map((conflict) => conflict.kind)).toEqual(['ambiguous']);
  });

  it('walks precedence down: each lower must tighten the one in force, not only the highest', () => {
    const entries = [entry(ORG, 'cap', capAt(100)), entry(TEAM, 'cap', capAt(50)), entry(VENDOR, 'cap', capAt(80))];
    const result = mergeSources(entries);
    expect(served(entries)).toEqual(['team/cap']);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ higher: { id: 'team/cap' }, lower: { id: 'vendor/cap' } });
  });

  it('a tightening chain ends with the lowest', () => {
    const entries = [entry(ORG, 'cap', capAt(100)), entry(TEAM, 'cap', capAt(50)), entry(VENDOR, 'cap', capAt(10))];
    expect(served(entries)).toEqual(['vendor/cap']);
  });

  it('keeps input order for what it serves and passes definitions without an id through', () => {
    const anonymous: SourcedDefinition = { definition: { tools: ['x'] }, localId: undefined, file: 'team/q.json', source: TEAM };
    const entries = [entry(TEAM, 'b', capAt(1)), anonymous, entry(ORG, 'a', capAt(1))];
    expect(mergeSources(entries).served).toEqual([0, 1, 2]);
  });
});
