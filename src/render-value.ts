const MAX_RENDERED = 120;

/**
 * Renders a value for a message: JSON where possible, cut to a readable length,
 * and never throwing (a hostile value may be cyclic, a BigInt, or a Proxy).
 */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? `<${typeof value}>`);
  } catch {
    text = `<${typeof value}>`;
  }
  return text.length > MAX_RENDERED ? `${text.slice(0, MAX_RENDERED)}…(${text.length} chars)` : text;
}
