/**
 * `tierguard/engines/conftest`: Conftest behind the engine adapter interface,
 * through its JSON output; failures and warnings mapped by severity.
 *
 * @packageDocumentation
 */
export { createConftestAdapter, CONFTEST_TESTED_VERSION } from './conftest-adapter.js';
export type { ConftestAdapterOptions } from './conftest-adapter.js';
