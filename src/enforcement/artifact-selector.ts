import { compileGlob, type GlobLimits } from '../glob/compile-glob.js';
import { GlobSyntaxError } from '../glob/glob-to-regex.js';
import type { RegexLike } from '../regex/regex-engine.js';
import type { Artifact } from '../engines/types.js';
import type { Limits } from '../limits.js';
import { DefinitionIssue } from '../definition-issue.js';
import { defaultArtifactName, isArtifactFormat } from '../engines/artifact/materialize-artifact.js';

/** Which artifacts a policy's `artifacts` patterns select, compiled once. */
export interface ArtifactSelector {
  /** The patterns as written, for messages and listings. */
  readonly patterns: readonly string[];
  /** True when some pattern matches `name`, an {@link artifactName}. */
  selects(name: string): boolean;
}

/** One pattern and what it is matched against. */
interface CompiledPattern {
  readonly matcher: RegexLike;
  /** A pattern without `/` matches the base name, as in .gitignore; one with `/` the whole name. */
  readonly wholeName: boolean;
}

/**
 * Compiles a policy's `artifacts` (the glob dialect of `tools`, RE2, so a match
 * is linear in the name whatever the pattern). Every problem is returned at once,
 * each at `/artifacts/<i>`; the selector is absent when there is one.
 */
export function compileArtifactSelector(
  patterns: readonly string[],
  limits: Pick<Limits, 'maxPatternLength'> & GlobLimits,
): { readonly selector?: ArtifactSelector; readonly issues: readonly DefinitionIssue[] } {
  const compiled: CompiledPattern[] = [];
  const issues: DefinitionIssue[] = [];
  for (const [position, pattern] of patterns.entries()) {
    const pointer = `/artifacts/${position}`;
    if (pattern.length > limits.maxPatternLength) {
      issues.push(new DefinitionIssue(pointer, `a pattern of at most ${limits.maxPatternLength} characters`));
      continue;
    }
    try {
      compiled.push({ matcher: compileGlob(pattern, limits), wholeName: pattern.includes('/') });
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      issues.push(new DefinitionIssue(pointer, 'a glob pattern', error.message, pattern));
    }
  }
  if (issues.length > 0) return { issues };
  const selector: ArtifactSelector = {
    patterns: Object.freeze([...patterns]),
    selects(name: string): boolean {
      const base = name.slice(name.lastIndexOf('/') + 1);
      return compiled.some(({ matcher, wholeName }) => matcher.test(wholeName ? name : base));
    },
  };
  return { selector: Object.freeze(selector), issues };
}

/**
 * The name `artifacts` patterns are matched against: a file's path as the caller
 * gave it, with `\` read as `/` (a Windows path selects as a POSIX one does) and
 * any leading `./` dropped (`./infra/main.tf` is `infra/main.tf`); content's
 * `name`, or the name the engine sees it under (`main.tf` for `terraform`,
 * `artifact.json` for a JSON value), or `artifact` for text with neither.
 * `artifact` is one that {@link snapshotArtifact} accepted.
 */
export function artifactName(artifact: Artifact): string {
  if (typeof artifact.path === 'string') return artifact.path.replaceAll('\\', '/').replace(/^(?:\.\/+)+/, '');
  if (typeof artifact.name === 'string') return artifact.name;
  const format: unknown = artifact.format ?? (typeof artifact.content === 'string' ? undefined : 'json');
  // snapshotArtifact refuses text without a known format or a name; `artifact` only answers a caller that skipped it.
  return isArtifactFormat(format) ? defaultArtifactName(format) : 'artifact';
}
