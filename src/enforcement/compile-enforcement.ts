import { resolveReferencedFile } from '../policy/resolve-referenced-file.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { versionTextOf } from '../file-content.js';
import { TREE_BOUNDS, readReferencedTree } from '../read-referenced-tree.js';
import { describeThrown } from '../describe-thrown.js';
import type { EngineBinding } from '../engines/types.js';
import type { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { FindingLevel, JsonValue } from '../types.js';
import { DefinitionIssue } from '../definition-issue.js';
import { closestNames } from '../did-you-mean.js';
import { invalidPolicy, throwIfInvalid } from '../policy/invalid-policy.js';
import { compileArtifactSelector } from './artifact-selector.js';
import type { ArtifactSelector } from './artifact-selector.js';
import { DEFAULT_BLOCK_ON, FINDING_LEVELS, isBelow } from './block-on.js';

/** One binding, resolved and ready to hand to an adapter. */
export interface ResolvedBinding {
  /** What the adapter receives: `policy` absolute, with the policy's id and effect. */
  readonly binding: EngineBinding;
  /** The `policy` as written in the definition, which verdicts report (an absolute path would differ per machine). */
  readonly given: string;
  /** The lowest finding level that blocks (the definition's `blockOn`, default `error`); applied to the verdict, never told to the adapter. */
  readonly blockOn: FindingLevel;
}

/** A policy's bindings, resolved. */
export interface EnforcedPolicy {
  /** The policy id. */
  readonly id: string;
  /** Its bindings, in definition order. */
  readonly bindings: readonly ResolvedBinding[];
  /** The artifacts it judges when `validate` is not told which policies to run; absent: every artifact. */
  readonly artifacts?: ArtifactSelector;
}

/** The enforcement part of a policy set. */
export interface CompiledEnforcement {
  /** The policies with `enforcement`, in policy order, by id. */
  readonly policies: ReadonlyMap<string, EnforcedPolicy>;
  /** Every file the bindings reference, name to text, for the set's version. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Resolves every `enforcement` binding of a policy set: each `policy` against
 * the directory of the file its definition came from (`sources`), or the working
 * directory, as `shapesFile` is. Each engine must have an adapter (given, or a
 * default), and each policy path must exist; its files (all of a directory,
 * recursively, sorted) are read for the version, so editing a `.rego` changes
 * it. Every problem is reported at once as `INVALID_POLICY`, naming the policy,
 * the JSON pointer and the resolved path. A policy's `artifacts` patterns are
 * compiled here too: a malformed one is reported at `/artifacts/<i>`, and
 * `artifacts` on a policy without `enforcement` (which would select nothing to
 * run) at `/artifacts`. A `blockOn` below the binding's `minLevel` option is
 * reported at `/enforcement/<i>/blockOn`: the findings it would block are
 * dropped before they are seen, so the setting could never apply.
 */
export async function compileEnforcement(
  policies: readonly CompiledPolicy[],
  sources: readonly string[] | undefined,
  engines: ReadonlySet<string>,
  limits: Limits,
): Promise<CompiledEnforcement> {
  const enforced = new Map<string, EnforcedPolicy>();
  const files: Record<string, string> = {};
  const failures: TierguardError<'INVALID_POLICY'>[] = [];
  const bounds = { ...TREE_BOUNDS, maxBytes: limits.maxFileBytes };
  for (const policy of policies) {
    const definitions = policy.definition.enforcement;
    const patterns = policy.definition.artifacts;
    if (definitions === undefined) {
      if (patterns !== undefined && policy.parts.advisory) {
        // An advisory policy's patterns say which artifacts its guidance is about (validate reports it); they run nothing.
        const issues = compileArtifactSelector(patterns, limits).issues;
        if (issues.length > 0) failures.push(invalidPolicy(`policy "${policy.id}"`, policy.index, [...issues]));
      } else if (patterns !== undefined) {
        // Without engines the patterns would select nothing to run: a silent no-op is refused, not accepted.
        const reason = 'selects the artifacts enforcement engines judge, and this policy binds none (add enforcement, or remove artifacts)';
        failures.push(invalidPolicy(`policy "${policy.id}"`, policy.index, [new DefinitionIssue('/artifacts', 'absent', reason)]));
      }
      continue;
    }
    const source = sources?.[policy.index];
    const selection = patterns === undefined ? undefined : compileArtifactSelector(patterns, limits);
    const issues: DefinitionIssue[] = [...(selection?.issues ?? [])];
    const bindings: ResolvedBinding[] = [];
    for (const [position, definition] of definitions.entries()) {
      const pointer = `/enforcement/${position}`;
      if (!engines.has(definition.engine)) {
        const known = [...engines].join(', ');
        issues.push(
          new DefinitionIssue(
            `${pointer}/engine`,
            `one of ${known}`,
            `no adapter for engine "${definition.engine}" (known: ${known}; pass others in the adapters option)`,
            undefined,
            closestNames(definition.engine, engines),
          ),
        );
      }
      const path = resolveReferencedFile(definition.policy, source);
      try {
        for (const file of await readReferencedTree(path, bounds)) {
          // A binary policy (an OPA bundle) is versioned by its bytes, not by text decoded with replacement characters.
          files[`${policy.index}:${pointer}/policy${file.relative === '' ? '' : `:${file.relative}`}`] = versionTextOf(file.content);
        }
      } catch (error) {
        // The reader's messages name the path; the resolved path is added where one does not.
        const reason = describeThrown(error);
        const message = reason.includes(path) ? reason : `${reason} (resolved to ${path})`;
        issues.push(new DefinitionIssue(`${pointer}/policy`, 'an existing file or directory', message, definition.policy));
      }
      const blockOn = definition.blockOn ?? DEFAULT_BLOCK_ON;
      const unreachable = unreachableBlockOn(blockOn, definition.options?.['minLevel']);
      if (unreachable !== undefined)
        issues.push(new DefinitionIssue(`${pointer}/blockOn`, unreachable.expected, unreachable.message, blockOn));
      bindings.push({
        given: definition.policy,
        blockOn,
        binding: Object.freeze({
          engine: definition.engine,
          policy: path,
          ...(definition.query === undefined ? {} : { query: definition.query }),
          ...(definition.options === undefined ? {} : { options: definition.options }),
          policyId: policy.id,
          effect: policy.effect,
        }),
      });
    }
    if (issues.length > 0) failures.push(invalidPolicy(`policy "${policy.id}"`, policy.index, issues));
    else {
      const artifacts = selection?.selector;
      enforced.set(
        policy.id,
        Object.freeze({ id: policy.id, bindings: Object.freeze(bindings), ...(artifacts === undefined ? {} : { artifacts }) }),
      );
    }
  }
  throwIfInvalid(failures);
  return { policies: enforced, files };
}

/**
 * Why `blockOn` can never apply next to the binding's `minLevel` option
 * (Semgrep's and Checkov's: findings below it are dropped), or `undefined`. A
 * `minLevel` that is no level is left to the adapter, which rejects it with its
 * own message; a `minLevel` set on the adapter rather than the binding is not
 * known here, and merely makes the lower levels of `blockOn` moot.
 */
function unreachableBlockOn(blockOn: FindingLevel, minLevel: JsonValue | undefined): { expected: string; message: string } | undefined {
  const floor = FINDING_LEVELS.find((level) => level === minLevel);
  if (floor === undefined || !isBelow(blockOn, floor)) return undefined;
  const allowed = FINDING_LEVELS.filter((level) => !isBelow(level, floor));
  return {
    expected: `one of ${allowed.join(', ')}`,
    message:
      `"${blockOn}" is below the binding's minLevel "${floor}", which drops those findings before they could block ` +
      `(lower minLevel, or set blockOn to ${allowed.join(' or ')})`,
  };
}
