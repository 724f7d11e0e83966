/**
 * Small readers for engine output, shared by the SARIF and OPA mappings. Engine
 * output is untrusted JSON: only own properties are read, so a key such as
 * `__proto__` or `constructor` never reaches Object.prototype.
 */

/** A parsed JSON object. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property `key` of `record`, or `undefined`; never an inherited member. */
export function own(record: JsonRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A non-empty string, or `undefined`. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Cuts a string to `max` characters, marking the cut, so one huge message cannot bloat a decision. */
export function boundText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Code-unit order, not the locale's: the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
