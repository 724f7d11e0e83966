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
  return engineNow(source);
}

/**
 * As {@link resolveEngine}, without a promise when none is needed: the engine
 * itself when the source is an engine or a provider that returns one, a promise
 * when the provider returns a promise. A provider that throws, or answers with
 * something that is not an engine, throws here (or rejects, when it answered
 * with a promise). For a hot path, where each promise awaited costs a turn.
 */
export function engineNow(source: EngineSource): Engine | Promise<Engine> {
  const provided = typeof source === 'function' ? source() : source;
  return isPromiseLike(provided) ? Promise.resolve(provided).then(checkedEngine) : checkedEngine(provided);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function checkedEngine(engine: unknown): Engine {
  if (typeof engine !== 'object' || engine === null || typeof (engine as Partial<Engine>).evaluate !== 'function') {
    throw new TypeError('the engine provider did not return a tierguard engine');
  }
  return engine as Engine;
}
