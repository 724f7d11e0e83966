import { createHash } from 'node:crypto';

/**
 * Serialises JSON with object keys sorted, so two definitions that differ only
 * in key order hash the same and any real edit hashes differently.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The version of a policy set: `sha256:` and the hex digest of the canonical JSON
 * of its definitions and of the files they reference (by name, with contents).
 */
export function policySetVersion(definitions: readonly unknown[], files: Readonly<Record<string, string>> = {}): string {
  const content = Object.keys(files).length === 0 ? definitions : { definitions, files };
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}
