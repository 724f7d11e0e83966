import type { Engine } from '../engine.js';

/** One engine a watcher served, with what releases its resources (a bundle's private files). */
interface Held {
  readonly engine: Engine;
  readonly release: (() => Promise<void>) | undefined;
}

/**
 * The last few engines a watcher served, newest (the one serving) first, by
 * version, so a caller can pin a version it saw a moment ago (`engineAt`).
 * Bounded: holding an engine past `limit` evicts the oldest, whose release
 * runs (a bundle's temporary files are removed: an artifact validation still
 * running on it then fails, and fails closed). A version held again (a revert
 * to earlier content) moves to the front with its new engine.
 */
export class VersionHistory {
  readonly #limit: number;
  #held: Held[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Holds `engine` as the newest. */
  hold(engine: Engine, release?: () => Promise<void>): void {
    const dropped = this.#held.filter((held) => held.engine.version === engine.version);
    const kept = this.#held.filter((held) => held.engine.version !== engine.version);
    this.#held = [{ engine, release }, ...kept];
    dropped.push(...this.#held.splice(this.#limit));
    for (const held of dropped) void held.release?.();
  }

  /** The engine held for `version`, or `undefined` when it was never served or has been evicted. */
  engineAt(version: string): Engine | undefined {
    return this.#held.find((held) => held.engine.version === version)?.engine;
  }

  /** The versions held, newest first. */
  get versions(): readonly string[] {
    return Object.freeze(this.#held.map((held) => held.engine.version));
  }
}
