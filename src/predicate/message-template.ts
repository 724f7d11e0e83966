import { DefinitionIssue } from '../definition-issue.js';
import { renderValue } from '../render-value.js';

/** The names a message template may use, each as `{name}`. */
export const TEMPLATE_VARIABLES = ['policy', 'tool', 'field', 'op', 'expected', 'actual'] as const;

/** A template variable name. */
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Values for a template; `expected` and `actual` are rendered as JSON, `actual` as "missing" when absent. */
export interface TemplateValues {
  readonly policy: string;
  readonly tool: string;
  readonly field: string;
  readonly op: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;

/**
 * Compiles a message template once. An unknown `{name}` is a policy error at
 * compile time, never a literal left in a message a user reads later.
 */
export function compileMessageTemplate(template: string, pointer: string): (values: TemplateValues) => string {
  const parts: ({ readonly text: string } | { readonly variable: TemplateVariable })[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!isTemplateVariable(name)) {
      throw new DefinitionIssue(
        pointer,
        `placeholders from ${TEMPLATE_VARIABLES.map((variable) => `{${variable}}`).join(', ')}`,
        `unknown placeholder {${name}}`,
        template,
      );
    }
    parts.push({ text: template.slice(last, match.index) }, { variable: name });
    last = match.index + match[0].length;
  }
  parts.push({ text: template.slice(last) });
  return (values) =>
    parts
      .map((part) => {
        if ('text' in part) return part.text;
        const value = values[part.variable];
        return typeof value === 'string' && part.variable !== 'expected' && part.variable !== 'actual' ? value : renderValue(value);
      })
      .join('');
}

function isTemplateVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

// A `{`, then anything but braces, then `}`: text that reads as a placeholder to a person.
const BRACED = /\{[^{}]*\}/g;

/**
 * The brace text a template leaves as written because it is no `{name}`
 * placeholder (`{arguments.amount}`, `{ field }`, `{}`), in order: a reader
 * sees the braces in every message, never a value.
 */
export function literalBraces(template: string): string[] {
  const found: string[] = [];
  let last = 0;
  // Between placeholders only: the braces around one (`{{field}}`) frame a value.
  const scan = (text: string): void => {
    for (const match of text.matchAll(BRACED)) found.push(match[0]);
  };
  for (const match of template.matchAll(PLACEHOLDER)) {
    scan(template.slice(last, match.index));
    last = match.index + match[0].length;
  }
  scan(template.slice(last));
  return found;
}
