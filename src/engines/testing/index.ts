/**
 * `tierguard/engines/testing`: the engine adapter conformance suite, as plain
 * cases any test runner can run, so a third-party adapter is held to the same
 * contract as tierguard's own.
 *
 * @packageDocumentation
 */
export { engineConformanceCases } from './conformance.js';
export type { ConformanceCase, ConformanceCaseId, ConformanceSuite } from './conformance.js';
