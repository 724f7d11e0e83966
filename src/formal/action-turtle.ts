import { DataFactory } from 'n3';
import { actionToGraph } from './action-to-rdf.js';
import { policyClass } from './vocabulary.js';
import { writeTurtle } from './write-turtle.js';

// One level of nesting in the Turtle of an action, as n3 indents a subject's own properties.
const INDENT = '    ';

/**
 * An action's RDF graph as Turtle, exactly the graph the formal tier validates:
 * `actionToGraph`'s quads, with the class of each of `policyIds` (as the engine
 * types an action a policy with a `shape` applies to) and then `classes`
 * (absolute IRIs, already checked) as extra types of the root, written with
 * the prefixes of every file tierguard writes. Objects are written inline as
 * `[ ... ]`, indented by depth, so no blank node label shows; keys come in the
 * order the action gives them, so the same action gives the same bytes.
 */
export async function actionTurtle(action: object, policyIds: readonly string[], classes: readonly string[]): Promise<string> {
  const { dataset } = actionToGraph(action, [
    ...policyIds.map((id) => policyClass(id)),
    ...classes.map((iri) => DataFactory.namedNode(iri)),
  ]);
  return indentNested(await writeTurtle([...dataset]));
}

/**
 * n3 writes every inline `[ ... ]` at one fixed indentation, whatever its depth;
 * this indents each line by how many are open. It reads only the writer's own
 * layout: an inline node opens at a line ending `[` and closes at a line
 * starting `]`. No literal or IRI can fake either, as the writer escapes line
 * breaks in literals, percent-encodes brackets in keys, and ends a value's line
 * with its closing quote, a digit, a name or `;`/`,`/`.`.
 */
function indentNested(turtle: string): string {
  let depth = 0;
  return turtle
    .split('\n')
    .map((line) => {
      const text = line.trimStart();
      if (text.startsWith(']')) depth -= 1;
      // Prefix lines and the root subject's line start at the margin; everything inside it is indented.
      const atMargin = depth === 0 && line === text && !text.startsWith(']');
      const indented = atMargin ? line : `${INDENT.repeat(depth + 1)}${text}`;
      if (text.endsWith('[')) depth += 1;
      return indented;
    })
    .join('\n');
}
