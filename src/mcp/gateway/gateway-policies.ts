import { watchPolicies } from '../../bundle/watch-policies.js';
import type { WatchPoliciesOptions } from '../../bundle/watch-policies.js';
import { createEngine } from '../../engine.js';
import type { EngineSource } from '../engine-source.js';
import { decisionObserver } from './decision-observer.js';
import type { GatewayOptions } from './gateway-options.js';

/** The options of `watchPolicies` a gateway takes for `policies` given as a path or URL: all but `engine`, which the gateway sets. */
export type GatewayWatchOptions = Omit<WatchPoliciesOptions, 'engine'>;

/** The engine a gateway judges with, where its policies come from, and what to stop when the gateway closes. */
export interface GatewayPolicies {
  readonly source: EngineSource;
  /** The path or URL (without its query) the policies come from, when known. */
  readonly policySource: string | undefined;
  /** Stops the watcher the gateway started for `policies` given as a path or URL; idempotent. */
  readonly close: () => void;
}

/**
 * The gateway's engine: `engine` as given; `policies` definitions compiled
 * with `mode`, `onDecision` and `metrics`; or `policies` as a path or bundle
 * URL, loaded and kept current by `watchPolicies` (with the `watch` options)
 * compiling each version with those same options, so every instance fed the
 * same URL converges on the same version.
 */
export async function openGatewayPolicies(options: GatewayOptions): Promise<GatewayPolicies> {
  if (options.engine !== undefined) return { source: options.engine, policySource: options.policySource, close: () => undefined };
  const { metrics, onDecision, policies } = options;
  const observe = metrics === undefined ? onDecision : decisionObserver(metrics, onDecision);
  const engineOptions = {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(observe === undefined ? {} : { onDecision: observe }),
  };
  if (typeof policies === 'string') {
    const watcher = await watchPolicies(policies, { ...options.watch, engine: engineOptions });
    return { source: () => watcher.engine, policySource: watcher.source, close: () => watcher.close() };
  }
  return {
    source: await createEngine({ policies: policies ?? [], ...engineOptions }),
    policySource: options.policySource,
    close: () => undefined,
  };
}
