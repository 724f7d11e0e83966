import type { EngineBinding, EngineError } from '../types.js';
import { bindingOption } from './check-binding.js';

/**
 * What a rule or check id may look like: Semgrep ids (`no-eval`, `python.lang.security.x`) and Checkov ids
 * (`CKV_AWS_20`, `CKV2_AWS_6`). Nothing that a command line could read as a flag or a list (`-`, `,`).
 */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** A rule-id binding option as read: the id (or `undefined` when absent), or why it is not acceptable. */
export type RuleIdReading = { readonly ok: true; readonly value: string | undefined } | { readonly ok: false; readonly error: EngineError };

/**
 * Reads the binding option `key`, which selects one rule of the bound policy
 * (Semgrep's `rule`, Checkov's `check`): absent or `null` is no selection;
 * anything but a rule id is an `INVALID_BINDING` error.
 */
export function readRuleIdOption(adapter: string, binding: EngineBinding, key: string): RuleIdReading {
  const value = bindingOption(binding, key) ?? undefined;
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== 'string' || !RULE_ID.test(value)) {
    return {
      ok: false,
      error: { code: 'INVALID_BINDING', message: `${adapter} option ${key} must be one rule id (letters, digits, _ . -)` },
    };
  }
  return { ok: true, value };
}
