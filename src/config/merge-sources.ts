import { compareStrictness } from './compare-strictness.js';
import type { StrictnessReason } from './strictness.js';

/** A source as the merge sees it. */
export interface MergeSource {
  /** The source's name in the config file. */
  readonly name: string;
  /** Higher wins. */
  readonly precedence: number;
}

/** One definition to merge: its namespaced id, the id without the namespace, the file and source it came from. */
export interface SourcedDefinition {
  readonly definition: unknown;
  /** The id without its source's namespace; `undefined` for a definition with no readable id (left for validation to report). */
  readonly localId: string | undefined;
  readonly file: string;
  readonly source: MergeSource;
}

/** One side of a conflict: a namespaced id, the file and the source that define it. */
export interface ConflictSide {
  readonly id: string;
  readonly file: string;
  readonly source: string;
  readonly precedence: number;
}

/**
 * Two definitions of one rule (one local id) in different sources that the
 * merge could not order: `weaker` or `undecidable` (the lower may relax the
 * higher: the higher stays in force and the lower is not served), or
 * `ambiguous` (equal precedence: both stay in force).
 */
export interface PrecedenceConflict {
  readonly localId: string;
  readonly kind: 'weaker' | 'undecidable' | 'ambiguous';
  readonly higher: ConflictSide;
  readonly lower: ConflictSide;
  readonly reasons: readonly StrictnessReason[];
  /** Both ids, both files, the reasons and what was done, in one line. */
  readonly message: string;
}

/** A higher-precedence definition replaced by a stricter lower one. */
export interface Replacement {
  readonly localId: string;
  readonly replaced: ConflictSide;
  readonly by: ConflictSide;
}

/** What the merge serves (positions in the input, in input order), what it reports, and what was replaced. */
export interface MergeResult {
  readonly served: readonly number[];
  readonly conflicts: readonly PrecedenceConflict[];
  readonly replacements: readonly Replacement[];
}

/**
 * Merges the definitions of several sources by precedence. Definitions with
 * different local ids are unrelated and all served. For each local id, from the
 * highest precedence down: a lower definition that refines every definition in
 * force (at least as strict in every aspect, see `compareStrictness`) replaces
 * them; one identical to them changes nothing and is not served; any other is a
 * conflict, not served, and the higher stays in force (fail closed). Definitions
 * of one id at equal precedence are `ambiguous` conflicts and all stay in force.
 * Pure: no I/O, never throws.
 */
export function mergeSources(entries: readonly SourcedDefinition[]): MergeResult {
  const groups = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    if (entry.localId === undefined) return;
    const group = groups.get(entry.localId);
    if (group === undefined) groups.set(entry.localId, [index]);
    else group.push(index);
  });
  const dropped = new Set<number>();
  const conflicts: PrecedenceConflict[] = [];
  const replacements: Replacement[] = [];
  for (const [localId, group] of groups) {
    if (group.length < 2) continue;
    const levels = byPrecedence(group, entries);
    let inForce = levels[0] ?? [];
    conflicts.push(...ambiguities(localId, inForce, entries));
    for (const level of levels.slice(1)) {
      const refiners: number[] = [];
      for (const index of level) {
        const lower = entries[index] as SourcedDefinition;
        const results = inForce.map((higherIndex) => {
          const higher = entries[higherIndex] as SourcedDefinition;
          return {
            higherIndex,
            ...compareStrictness(higher.definition, lower.definition, { higherFile: higher.file, lowerFile: lower.file }),
          };
        });
        const refused = results.filter((result) => result.relation === 'weaker' || result.relation === 'undecidable');
        if (refused.length > 0) {
          dropped.add(index);
          for (const result of refused) {
            conflicts.push(
              conflict(
                localId,
                result.relation as 'weaker' | 'undecidable',
                entries[result.higherIndex] as SourcedDefinition,
                lower,
                result.reasons,
              ),
            );
          }
        } else if (results.every((result) => result.relation === 'identical')) {
          // The same rule again: the higher keeps serving it.
          dropped.add(index);
        } else {
          refiners.push(index);
        }
      }
      if (refiners.length === 0) continue;
      for (const higherIndex of inForce) {
        dropped.add(higherIndex);
        for (const by of refiners) {
          replacements.push({
            localId,
            replaced: side(entries[higherIndex] as SourcedDefinition),
            by: side(entries[by] as SourcedDefinition),
          });
        }
      }
      conflicts.push(...ambiguities(localId, refiners, entries));
      inForce = refiners;
    }
  }
  return { served: entries.map((_, index) => index).filter((index) => !dropped.has(index)), conflicts, replacements };
}

/** The positions of one group in levels of equal precedence, highest first, each in input order. */
function byPrecedence(group: readonly number[], entries: readonly SourcedDefinition[]): number[][] {
  const levels = new Map<number, number[]>();
  for (const index of group) {
    const precedence = (entries[index] as SourcedDefinition).source.precedence;
    levels.set(precedence, [...(levels.get(precedence) ?? []), index]);
  }
  return [...levels.entries()].sort(([left], [right]) => right - left).map(([, indexes]) => indexes);
}

/** Equal precedence cannot say which definition wins: each after the first is an `ambiguous` conflict with the first. */
function ambiguities(localId: string, level: readonly number[], entries: readonly SourcedDefinition[]): PrecedenceConflict[] {
  const [first, ...others] = level;
  if (first === undefined) return [];
  const reasons = [{ aspect: 'precedence', verdict: 'undecidable', message: 'both sources have the same precedence' } as const];
  return others.map((index) =>
    conflict(localId, 'ambiguous', entries[first] as SourcedDefinition, entries[index] as SourcedDefinition, reasons),
  );
}

function conflict(
  localId: string,
  kind: PrecedenceConflict['kind'],
  higher: SourcedDefinition,
  lower: SourcedDefinition,
  reasons: readonly StrictnessReason[],
): PrecedenceConflict {
  const [high, low] = [side(higher), side(lower)];
  const why = reasons.map((reason) => `${reason.verdict}: ${reason.message}`).join('; ');
  const outcome = kind === 'ambiguous' ? 'both stay in force' : `${high.id} stays in force and ${low.id} is not served`;
  const message =
    `${low.id} (${low.file}, source ${low.source}, precedence ${low.precedence}) ` +
    `${kind === 'ambiguous' ? 'defines the same rule as' : 'may relax'} ` +
    `${high.id} (${high.file}, source ${high.source}, precedence ${high.precedence}): ${why}; ${outcome}`;
  return { localId, kind, higher: high, lower: low, reasons, message };
}

function side(entry: SourcedDefinition): ConflictSide {
  const { id } = entry.definition as { id?: unknown };
  return { id: typeof id === 'string' ? id : '(no id)', file: entry.file, source: entry.source.name, precedence: entry.source.precedence };
}
