import { parseArgs } from 'node:util';
import { isAbsoluteIri, actionToRdf } from '../action-rdf.js';
import { loadPolicies } from '../bundle/load-policies.js';
import { closestNames, didYouMean } from '../did-you-mean.js';
import { createEngine } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Action } from '../types.js';
import type { CommandResult } from './check-command.js';
import { readJsonInput } from './read-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard rdf`. */
export const RDF_USAGE = 'tierguard rdf --action <file|-> [--policies <file|dir> --policy <id>...] [--class <iri>...]';

/**
 * `tierguard rdf`: prints the RDF graph the formal tier validates for an
 * action, as Turtle (see `actionToRdf`), to read it or to run its shapes
 * through another SHACL validator. `--policy` (with `--policies`, which is
 * compiled, so an invalid set is exit 2 as elsewhere) types the root as the
 * engine does when that policy applies: with the class its generated shapes
 * target; a policy whose shapes are hand-written (`shapesFile`) targets
 * `tg:Action` and adds nothing, and one with neither is an error. `--class`
 * adds any other class. Exit 0, or 2 on an invalid action, policy or usage.
 */
export async function runRdf(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      action: { type: 'string' },
      policies: { type: 'string' },
      policy: { type: 'string', multiple: true },
      class: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.action === undefined) throw new UsageError('--action is required');
  const named = values.policy ?? [];
  if (named.length > 0 && values.policies === undefined) throw new UsageError('--policy needs --policies, the policy set that holds it');
  if (named.length === 0 && values.policies !== undefined)
    throw new UsageError('--policies is read for --policy only: name the policy whose class the action should get');
  const classes = values.class ?? [];
  for (const iri of classes) {
    if (!isAbsoluteIri(iri))
      throw new UsageError(`--class must be an absolute IRI (a scheme, then no space or <>"{}|^\`\\), not "${escapeTerminalText(iri)}"`);
  }
  const { policies, warnings } =
    values.policies === undefined ? { policies: [], warnings: [] } : await shapePolicies(values.policies, named);
  const action = await readJsonInput(values.action, DEFAULT_LIMITS.maxFileBytes);
  let turtle: string;
  try {
    turtle = await actionToRdf(action as Action, { policies, classes });
  } catch (error) {
    if (!isTierguardError(error, 'INVALID_ACTION') && !isTierguardError(error, 'LIMIT_EXCEEDED')) throw error;
    const where = values.action === '-' ? 'standard input' : values.action;
    throw new TierguardError(error.code, `${where}: ${error.message}`, error.details, { cause: error });
  }
  return { output: turtle.trimEnd(), exitCode: 0, warnings };
}

/** The ids among `named` whose class the engine gives an action, checked against the compiled set at `source`. */
async function shapePolicies(source: string, named: readonly string[]): Promise<{ policies: string[]; warnings: string[] }> {
  const loaded = await loadPolicies(source);
  const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
  const policies: string[] = [];
  const warnings: string[] = [];
  for (const id of new Set(named)) {
    const definition = engine.definitions.find((candidate) => candidate.id === id);
    if (definition === undefined) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        `--policy "${id}": no such policy in ${source}${didYouMean(closestNames(id, engine.policyIds))}`,
        { option: '--policy', actual: id },
      );
    }
    if (definition.shape !== undefined) policies.push(id);
    else if (definition.shapesFile !== undefined)
      warnings.push(`policy "${id}" has hand-written shapes (shapesFile), which target tg:Action: the action gets no class for it`);
    else
      throw new TierguardError(
        'INVALID_OPTIONS',
        `--policy "${id}" has no shape or shapesFile: the formal tier never sees an action for it`,
        {
          option: '--policy',
          actual: id,
        },
      );
  }
  return { policies, warnings };
}
