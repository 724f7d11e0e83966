import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { DefinitionIssue } from '../definition-issue.js';
import { closestNames } from '../did-you-mean.js';

// The schema ships as a file (`tierguard/schema/policy.json`) for editors and other
// tools; reading that same file here means there is one schema, not two copies.
// The path is the same from src/policy (tests) and dist/policy (the package).
const SCHEMA_URL = new URL('../../schema/policy.json', import.meta.url);

// The file describes a policy file (one policy or an array of them); a definition is checked against its one-policy part.
const POLICY_SCHEMA_REF = 'urn:tierguard:schema:policy#/definitions/policy';

// The keys of the predicate forms other than a comparison.
const COMBINATORS: readonly string[] = ['all', 'any', 'not'];

let compiled: ValidateFunction | undefined;
// The comparison's part of the schema, as ajv hands it back in `parentSchema`.
let comparisonSchema: unknown;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { definitions?: { comparison?: unknown } };
    comparisonSchema = schema.definitions?.comparison;
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    compiled = ajv.addSchema(schema).compile({ $ref: POLICY_SCHEMA_REF });
  }
  return compiled;
}

/**
 * Checks one definition (already copied and depth-checked by the caller, so the
 * validator's recursion is bounded) against the policy schema, and returns every
 * issue, each located by JSON pointer and saying what was expected.
 */
export function validateDefinition(definition: unknown): DefinitionIssue[] {
  const validate = validator();
  if (validate(definition)) return [];
  const issues = (validate.errors ?? []).filter((error) => error.keyword !== 'if').map((error) => toIssue(error, definition));
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.pointer}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toIssue(error: ErrorObject, definition: unknown): DefinitionIssue {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      // A predicate that is not `all`, `any` or `not` is read as a comparison, so a misspelt combinator lands here.
      const nearby = error.parentSchema === comparisonSchema ? [...known, ...COMBINATORS] : known;
      return new DefinitionIssue(
        `${pointer}/${escapePointer(key)}`,
        `one of ${known.join(', ')}`,
        `unknown key "${key}" (allowed: ${known.join(', ')})`,
        undefined,
        closestNames(key, nearby),
      );
    }
    case 'required': {
      const key = String(params.missingProperty);
      return new DefinitionIssue(`${pointer}/${escapePointer(key)}`, 'present', `"${key}" is required`);
    }
    case 'enum': {
      const values = (params.allowedValues as unknown[]).map(String);
      const allowed = values.join(', ');
      const suggestions = typeof error.data === 'string' ? closestNames(error.data, values) : [];
      return new DefinitionIssue(pointer, `one of ${allowed}`, `must be one of ${allowed}`, error.data, suggestions);
    }
    case 'type':
      return new DefinitionIssue(pointer, `a ${String(params.type)}`, `must be a ${String(params.type)}`, error.data);
    case 'false schema':
      return notAllowed(pointer, definition, error.data);
    default:
      return new DefinitionIssue(pointer, error.message ?? error.keyword, error.message ?? error.keyword, error.data);
  }
}

// ajv words a key forbidden by `"key": false` as "boolean schema is false". The
// schema forbids keys that way where another key (a rewrite's `op`) rules them
// out, so the issue names the key and, where there is one, that op.
function notAllowed(pointer: string, definition: unknown, found: unknown): DefinitionIssue {
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  const key = segments.pop();
  if (key === undefined) return new DefinitionIssue(pointer, 'absent', 'is not allowed', found);
  let parent = definition;
  for (const segment of segments) {
    parent =
      typeof parent === 'object' && parent !== null && Object.hasOwn(parent, segment)
        ? (parent as Record<string, unknown>)[segment]
        : undefined;
  }
  const op = typeof parent === 'object' && parent !== null && Object.hasOwn(parent, 'op') ? (parent as { op?: unknown }).op : undefined;
  const context = typeof op === 'string' ? ` with op ${op}` : ' here';
  return new DefinitionIssue(pointer, `absent${context}`, `"${key}" is not allowed${context}`, found);
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The pointer of the first value nested deeper than `maxDepth`; iterative, so the check cannot overflow the stack it protects. */
export function findTooDeep(root: unknown, maxDepth: number): string | undefined {
  const stack: { value: unknown; depth: number; pointer: string }[] = [{ value: root, depth: 0, pointer: '' }];
  while (stack.length > 0) {
    const { value, depth, pointer } = stack.pop() as { value: unknown; depth: number; pointer: string };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return pointer;
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, depth: depth + 1, pointer: `${pointer}/${escapePointer(key)}` });
    }
  }
  return undefined;
}
