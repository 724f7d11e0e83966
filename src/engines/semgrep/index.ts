/**
 * `tierguard/engines/semgrep`: Semgrep behind the engine adapter interface,
 * through its SARIF output.
 *
 * @packageDocumentation
 */
export { createSemgrepAdapter, SEMGREP_TESTED_VERSION } from './semgrep-adapter.js';
export type { SemgrepAdapterOptions } from './semgrep-adapter.js';
export type { SarifLevel } from '../sarif/normalize-sarif.js';
