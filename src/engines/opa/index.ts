/**
 * `tierguard/engines/opa`: Open Policy Agent behind the engine adapter
 * interface, in three modes that read a binding the same way (a Rego policy, a
 * query such as `data.s3.deny`, and the `result` option):
 *
 * - {@link createOpaCliAdapter}: `opa eval`, one process per evaluation;
 * - {@link createOpaServerAdapter}: `POST /v1/data/<path>` to a running OPA server;
 * - {@link createOpaWasmAdapter}: in process, through `@open-policy-agent/opa-wasm`
 *   (an optional peer dependency) on a policy compiled once with `opa build -t wasm`.
 *
 * @packageDocumentation
 */
export { createOpaCliAdapter } from './opa-cli-adapter.js';
export { OPA_TESTED_VERSION } from './opa-binary.js';
export type { OpaCliAdapterOptions } from './opa-cli-adapter.js';
export { createOpaServerAdapter } from './opa-server-adapter.js';
export type { OpaServerAdapterOptions } from './opa-server-adapter.js';
export { createOpaWasmAdapter } from './opa-wasm-adapter.js';
export type { OpaWasmAdapterOptions } from './opa-wasm-adapter.js';
export type { OpaResultKind } from './opa-result.js';
