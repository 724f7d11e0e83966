import { DefinitionIssue } from '../definition-issue.js';
import type { PolicyDefinition } from '../types.js';

/**
 * The keys an advisory policy may not have: each makes a policy judge or change
 * actions or artifacts, and an advisory policy is guidance only. Accepting one
 * and ignoring it would let an author believe a rule is enforced when it is not.
 */
const EVALUATED_KEYS = [
  'effect',
  'mode',
  'when',
  'require',
  'assert',
  'shape',
  'shapesFile',
  'rewrite',
  'enforcement',
  'message',
  'priority',
  'on',
] as const satisfies readonly (keyof PolicyDefinition)[];

/**
 * Checks what the schema cannot: that a policy's severity and effect agree
 * (README "Guidance for agents"), that an advisory policy asks for no
 * evaluation, and that `successor` comes with `deprecated` and names another
 * policy. Whether the successor exists is a question about the whole set,
 * answered by {@link checkSuccessors}. Throws the first {@link DefinitionIssue}.
 */
export function checkSeverity(definition: PolicyDefinition): void {
  const { severity, effect } = definition;
  if (severity === 'hard' && effect === 'warn') {
    throw new DefinitionIssue(
      '/effect',
      'deny or escalate, for a hard policy',
      'a hard policy blocks: its effect is deny or escalate',
      effect,
    );
  }
  if (severity === 'soft' && effect !== undefined && effect !== 'warn') {
    throw new DefinitionIssue(
      '/effect',
      'warn (or no effect), for a soft policy',
      'a soft policy never blocks: its effect is warn (leave effect out, or make the policy hard)',
      effect,
    );
  }
  if (severity === 'advisory') {
    const evaluated = EVALUATED_KEYS.find((key) => definition[key] !== undefined);
    if (evaluated !== undefined) {
      throw new DefinitionIssue(
        `/${evaluated}`,
        'absent, for an advisory policy',
        `an advisory policy is guidance only and is never evaluated, so it cannot have "${evaluated}" (make it hard or soft to enforce it)`,
        definition[evaluated],
      );
    }
  }
  if (definition.successor !== undefined) {
    if (definition.deprecated !== true) {
      throw new DefinitionIssue(
        '/successor',
        'deprecated: true beside it',
        'only a deprecated policy has a successor',
        definition.successor,
      );
    }
    if (definition.successor === definition.id) {
      throw new DefinitionIssue('/successor', 'the id of another policy', 'a policy cannot succeed itself', definition.successor);
    }
  }
}

/**
 * The successors in `definitions` that name no policy of the set, each as the
 * index of the policy and its issue: a deprecated policy pointing agents at a
 * rule that does not exist is a typo, and is reported like one.
 */
export function checkSuccessors(definitions: readonly PolicyDefinition[]): { index: number; issue: DefinitionIssue }[] {
  const ids = new Set(definitions.map((definition) => definition.id));
  const missing: { index: number; issue: DefinitionIssue }[] = [];
  definitions.forEach((definition, index) => {
    const { successor } = definition;
    if (successor === undefined || ids.has(successor)) return;
    missing.push({
      index,
      issue: new DefinitionIssue('/successor', 'the id of a policy in the set', `names no policy in the set ("${successor}")`, successor),
    });
  });
  return missing;
}
