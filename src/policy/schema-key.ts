/**
 * The key an editor reads to find a file's JSON Schema
 * (`"$schema": "./node_modules/tierguard/schema/policy.json"`): a hint for
 * people's tools, never part of a policy.
 */
export const SCHEMA_KEY = '$schema';

/**
 * The definition without its `$schema` key: a shallow copy when it has a string
 * one, the value itself otherwise (a `$schema` that is not a string is left for
 * validation to refuse, as is anything that is not an object). Dropped where
 * definitions are loaded and again where they are compiled, so the hint changes
 * neither a decision, nor the set's content hash, nor how a rule compares with
 * another source's copy of it.
 */
export function withoutSchemaKey(definition: unknown): unknown {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return definition;
  if (!Object.hasOwn(definition, SCHEMA_KEY) || typeof (definition as Record<string, unknown>)[SCHEMA_KEY] !== 'string') return definition;
  // Spread copies an own `__proto__` key as a plain key, as JSON.parse made it.
  const copy: Record<string, unknown> = { ...definition };
  delete copy[SCHEMA_KEY];
  return copy;
}
