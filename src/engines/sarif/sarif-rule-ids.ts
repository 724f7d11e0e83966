import { isRecord, own, stringOf } from '../json-reading.js';

/**
 * The ids of the rules a SARIF log's runs declare (`tool.driver.rules[].id`),
 * or `undefined` when the log cannot be read: a tool that declares every rule
 * it ran (Semgrep does) tells a rule that found nothing from one it never had.
 */
export function sarifRuleIds(log: string): ReadonlySet<string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(log);
  } catch {
    return undefined;
  }
  const runs = isRecord(parsed) ? own(parsed, 'runs') : undefined;
  if (!Array.isArray(runs)) return undefined;
  const ids = new Set<string>();
  for (const run of runs) {
    const tool = isRecord(run) ? own(run, 'tool') : undefined;
    const driver = isRecord(tool) ? own(tool, 'driver') : undefined;
    const rules = isRecord(driver) ? own(driver, 'rules') : undefined;
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      const id = isRecord(rule) ? stringOf(own(rule, 'id')) : undefined;
      if (id !== undefined) ids.add(id);
    }
  }
  return ids;
}
