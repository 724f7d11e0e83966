import type { Engine } from '../engine.js';

/**
 * Where an adapter gets its engine: an engine, or a function that returns the
 * engine to use now. A provider is asked on every request, so an engine swapped
 * by `watchPolicies` (`() => watcher.engine`) applies to the next request
 * without re-registering anything.
 */
export type EngineSource = Engine | (() => Engine | Promise<Engine>);

/**
 * The engine to use for one request. A provider that throws, rejects or returns
 * something that is not an engine rejects here; each caller decides whether that
 * fails closed (the guard) or is reported as unavailable (the constraint tools).
 */
export async function resolveEngine(source: EngineSource): Promise<Engine> {
  const engine = typeof source === 'function' ? await source() : source;
  if (typeof engine !== 'object' || engine === null || typeof (engine as Partial<Engine>).evaluate !== 'function') {
    throw new TypeError('the engine provider did not return a tierguard engine');
  }
  return engine;
}
