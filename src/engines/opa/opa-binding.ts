import type { EngineLimits } from '../../limits.js';
import { checkBinding } from '../binding/check-binding.js';
import { readEnumOption } from '../binding/enum-option.js';
import type { EngineBinding, EngineError } from '../types.js';
import { queryToPath } from './opa-query.js';
import type { OpaResultContext, OpaResultKind } from './opa-result.js';

/** What every OPA mode needs from a binding: its query and how to read the query's value. */
export interface OpaBinding {
  /** The query, such as `data.s3.deny`. */
  readonly query: string;
  /** How the value is read (binding option `result`, default `violations`). */
  readonly kind: OpaResultKind;
}

/** An {@link OpaBinding} with the query's document path, for the modes that ask for a document (server, Wasm). */
export interface OpaDocumentBinding extends OpaBinding {
  /** The query as a document path: `data.s3.deny` is `s3/deny`. */
  readonly path: string;
}

const NAME = 'opa';
const BINDING_OPTIONS = ['result'] as const;
const RESULT_KINDS: readonly OpaResultKind[] = ['violations', 'allow', 'deny'];

/** A binding as read, or the first problem with it. */
export type OpaBindingReading<T> = { readonly ok: true; readonly binding: T } | { readonly ok: false; readonly error: EngineError };

/**
 * Checks an opa binding the same way in every mode: well formed with no option
 * but `result` ({@link checkBinding}), a non-empty query, and `result` one of
 * `violations`, `allow`, `deny` (default `violations`). The first problem
 * found is an `INVALID_BINDING` error.
 */
export function readOpaBinding(binding: EngineBinding): OpaBindingReading<OpaBinding> {
  const query = readQuery(binding);
  if (!query.ok) return query;
  const kind = readEnumOption(NAME, binding, 'result', RESULT_KINDS, 'violations');
  if (!kind.ok) return kind;
  return { ok: true, binding: { query: query.query, kind: kind.value } };
}

/**
 * {@link readOpaBinding} for server and Wasm mode, which ask for a document
 * rather than evaluate an expression: the query must also name a document
 * under `data` ({@link queryToPath}), which is checked before `result`.
 */
export function readOpaDocumentBinding(binding: EngineBinding): OpaBindingReading<OpaDocumentBinding> {
  const query = readQuery(binding);
  if (!query.ok) return query;
  const path = queryToPath(query.query);
  if (!path.ok) return path;
  const kind = readEnumOption(NAME, binding, 'result', RESULT_KINDS, 'violations');
  if (!kind.ok) return kind;
  return { ok: true, binding: { query: query.query, path: path.path, kind: kind.value } };
}

/**
 * How every mode reads the answer to a binding's query (`mapOpaOutput`,
 * `mapOpaValue`): the same query, kind, policy, effect and limits, so a binding
 * means the same in CLI, server and Wasm mode. `scrub` rewrites private paths
 * out of messages; the default leaves them as they are, for modes that write
 * no file.
 */
export function opaResultContext(
  opa: OpaBinding,
  binding: EngineBinding,
  limits: EngineLimits,
  scrub: (text: string) => string = (text) => text,
): OpaResultContext {
  return {
    query: opa.query,
    policyId: binding.policyId,
    ...(binding.effect === undefined ? {} : { effect: binding.effect }),
    kind: opa.kind,
    maxViolations: limits.maxSarifResults,
    maxMessageLength: limits.maxMessageLength,
    scrub,
  };
}

/** A well-formed opa binding's query, which every mode needs. */
function readQuery(
  binding: EngineBinding,
): { readonly ok: true; readonly query: string } | { readonly ok: false; readonly error: EngineError } {
  const invalid = checkBinding(NAME, binding, BINDING_OPTIONS);
  if (invalid !== undefined) return { ok: false, error: invalid };
  const query = binding.query;
  if (query === undefined || query.trim().length === 0)
    return { ok: false, error: { code: 'INVALID_BINDING', message: 'an opa binding needs a query, such as data.s3.deny' } };
  return { ok: true, query };
}
