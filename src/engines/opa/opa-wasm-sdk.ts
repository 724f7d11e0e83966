import type * as OpaWasm from '@open-policy-agent/opa-wasm';
import { describeThrown } from '../../describe-thrown.js';

/** The part of `@open-policy-agent/opa-wasm` the Wasm adapter uses. */
export type OpaWasmSdk = typeof OpaWasm;

/** The SDK's compiled policy. */
export type LoadedWasmPolicy = Awaited<ReturnType<OpaWasmSdk['loadPolicy']>>;

/** The SDK range the adapter is tested with, as declared in the package's optional peer dependency. */
export const OPA_WASM_SDK_RANGE = '^1.10';

let loading: Promise<{ ok: true; sdk: OpaWasmSdk } | { ok: false; reason: string }> | undefined;

/**
 * Imports `@open-policy-agent/opa-wasm` on first use, once per process, so that
 * `tierguard/engines/opa` loads without it (it is an optional peer dependency).
 * Never rejects: a missing package is a reason that says how to install it.
 */
export function loadOpaWasmSdk(): Promise<{ ok: true; sdk: OpaWasmSdk } | { ok: false; reason: string }> {
  loading ??= import('@open-policy-agent/opa-wasm').then(
    (sdk: OpaWasmSdk) => ({ ok: true as const, sdk }),
    (thrown: unknown) => {
      // Not cached: the package may be installed while the process runs.
      loading = undefined;
      return {
        ok: false as const,
        reason: `@open-policy-agent/opa-wasm could not be loaded (${describeThrown(thrown)}); install it with "npm install @open-policy-agent/opa-wasm@${OPA_WASM_SDK_RANGE}"`,
      };
    },
  );
  return loading;
}
