/**
 * `tierguard/engines/checkov`: Checkov behind the engine adapter interface,
 * through its SARIF output, offline, with parse failures and empty runs read as
 * errors rather than passes.
 *
 * @packageDocumentation
 */
export { createCheckovAdapter, CHECKOV_TESTED_VERSION } from './checkov-adapter.js';
export type { CheckovAdapterOptions } from './checkov-adapter.js';
export type { SarifLevel } from '../sarif/normalize-sarif.js';
