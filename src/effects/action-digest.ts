import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { types } from 'node:util';
import { DEFAULT_LIMITS } from '../limits.js';

/** How far {@link actionDigest} walks before it gives up and returns `null`. */
export interface DigestBounds {
  /** Deepest nesting of objects and arrays; the action itself is at depth 0, as in `limits.maxDepth`. */
  readonly maxDepth: number;
  /** Most values (objects, arrays and scalars together), as in `limits.maxNodes`. */
  readonly maxNodes: number;
}

/**
 * The engine's default limits, so every action the engine accepts with default
 * limits gets a digest; an engine with raised limits may see `null` for actions
 * beyond these.
 */
export const DIGEST_BOUNDS: DigestBounds = Object.freeze({ maxDepth: DEFAULT_LIMITS.maxDepth, maxNodes: DEFAULT_LIMITS.maxNodes });

/** Hashing a string per token would cost a native call each; chunks of this size amortise it. */
const CHUNK_CHARS = 65_536;

/** Thrown inside the walk only, to unwind at once; never leaves this module. */
class NotJson extends Error {}

/**
 * `sha256:` and the hex digest of the canonical JSON of `action` (object keys
 * sorted, as `canonicalJson` writes it), or `null` when the value is not JSON
 * data: a cycle, a BigInt, a function, a symbol, a non-finite number, a Proxy,
 * an object that is neither a plain object nor an array (a Date, a Map, a class
 * instance), a getter that throws, or anything beyond `bounds`. Never throws.
 */
export function actionDigest(action: unknown, bounds: DigestBounds = DIGEST_BOUNDS): string | null {
  const hash = createHash('sha256');
  const writer = new CanonicalWriter(hash, bounds);
  try {
    if (action === undefined) return null;
    writer.value(action, 0);
  } catch {
    // Whatever went wrong (a NotJson, a throwing getter or trap), there is no digest to give.
    return null;
  }
  writer.end();
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Writes canonical JSON straight into the hash, so a large action is never held
 * as one string. The output bytes equal `canonicalJson(value)` for JSON data.
 */
class CanonicalWriter {
  private chunk = '';
  private nodes = 0;

  constructor(
    private readonly hash: Hash,
    private readonly bounds: DigestBounds,
  ) {}

  value(value: unknown, depth: number): void {
    this.nodes += 1;
    if (this.nodes > this.bounds.maxNodes) throw new NotJson();
    switch (typeof value) {
      case 'string':
      case 'boolean':
        this.put(JSON.stringify(value));
        return;
      case 'number':
        // NaN and ±Infinity would serialise as null and collide with a real null.
        if (!Number.isFinite(value)) throw new NotJson();
        this.put(JSON.stringify(value));
        return;
      case 'object':
        if (value === null) this.put('null');
        else this.container(value, depth);
        return;
      default:
        // bigint, symbol, function, undefined: JSON has no such value.
        throw new NotJson();
    }
  }

  end(): void {
    if (this.chunk !== '') this.hash.update(this.chunk);
    this.chunk = '';
  }

  private container(value: object, depth: number): void {
    // A Proxy can answer each read differently, so its digest would mean nothing;
    // isProxy asks V8 without running any trap.
    if (types.isProxy(value) || depth >= this.bounds.maxDepth) throw new NotJson();
    if (Array.isArray(value)) {
      this.put('[');
      const length = value.length;
      for (let index = 0; index < length; index += 1) {
        if (index > 0) this.put(',');
        // A hole or an undefined element is null, as JSON.stringify writes it.
        const element: unknown = Object.hasOwn(value, index) ? value[index] : undefined;
        if (element === undefined) {
          this.nodes += 1;
          if (this.nodes > this.bounds.maxNodes) throw new NotJson();
          this.put('null');
        } else {
          this.value(element, depth + 1);
        }
      }
      this.put(']');
      return;
    }
    // Plain objects only, from any realm: a Date or a Map would hash as `{}`.
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== null && Object.getPrototypeOf(prototype) !== null) throw new NotJson();
    this.put('{');
    let first = true;
    // for-in rather than Object.keys, so an object with millions of keys is
    // refused once it passes the budget, before all its keys are listed.
    const keys: string[] = [];
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      keys.push(key);
      if (this.nodes + keys.length > this.bounds.maxNodes) throw new NotJson();
    }
    for (const key of keys.sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined) continue;
      this.put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      this.value(child, depth + 1);
    }
    this.put('}');
  }

  private put(text: string): void {
    this.chunk += text;
    if (this.chunk.length >= CHUNK_CHARS) {
      this.hash.update(this.chunk);
      this.chunk = '';
    }
  }
}
