import * as crypto from 'node:crypto';
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
  const writer = new CanonicalWriter(bounds);
  try {
    if (action === undefined) return null;
    writer.value(action, 0);
  } catch {
    // Whatever went wrong (a NotJson, a throwing getter or trap), there is no digest to give.
    return null;
  }
  return `sha256:${writer.hexDigest()}`;
}

// One call for an action that fits in a chunk (almost every one): Node 20.12 and later have it.
const oneShotHash: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined =
  typeof (crypto as { hash?: unknown }).hash === 'function' ? crypto.hash : undefined;

/**
 * Writes canonical JSON straight into the hash, so a large action is never held
 * as one string. The output bytes equal `canonicalJson(value)` for JSON data.
 */
class CanonicalWriter {
  private chunk = '';
  private nodes = 0;
  /** Made when the first chunk fills up: a small action is hashed in one call at the end. */
  private hash: Hash | undefined;

  constructor(private readonly bounds: DigestBounds) {}

  value(value: unknown, depth: number): void {
    this.nodes += 1;
    if (this.nodes > this.bounds.maxNodes) throw new NotJson();
    switch (typeof value) {
      case 'string':
        this.put(quoted(value));
        return;
      case 'boolean':
        this.put(value ? 'true' : 'false');
        return;
      case 'number':
        // NaN and ±Infinity would serialise as null and collide with a real null.
        if (!Number.isFinite(value)) throw new NotJson();
        // What JSON.stringify writes for a finite number (-0 as 0 included).
        this.put(String(value));
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

  /** The hex digest of everything written. */
  hexDigest(): string {
    if (this.hash === undefined && oneShotHash !== undefined) return oneShotHash('sha256', this.chunk, 'hex');
    const hash = this.hash ?? crypto.createHash('sha256');
    if (this.chunk !== '') hash.update(this.chunk);
    return hash.digest('hex');
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
    for (const key of sortedKeys(keys)) {
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined) continue;
      this.put(first ? `${quotedKey(key)}:` : `,${quotedKey(key)}:`);
      first = false;
      this.value(child, depth + 1);
    }
    this.put('}');
  }

  private put(text: string): void {
    this.chunk += text;
    if (this.chunk.length >= CHUNK_CHARS) {
      this.hash ??= crypto.createHash('sha256');
      this.hash.update(this.chunk);
      this.chunk = '';
    }
  }
}

/**
 * A string as JSON.stringify writes it. Most strings need no escape: a quote, a
 * backslash, a control character or a surrogate (JSON.stringify escapes a lone
 * one) sends it to JSON.stringify, which costs more than this scan.
 */
function quoted(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

// Object keys come from a small vocabulary (tool, arguments, context, the tools' own
// fields), so their quoted form is kept; bounded in entries and in key length, as
// the keys are the caller's to choose. Emptied when full rather than kept in LRU
// order: an LRU hit re-inserts its entry, which costs about what quoting does, and
// the hot keys are back after a few actions.
const MAX_CACHED_KEYS = 1_024;
const MAX_CACHED_KEY_LENGTH = 64;
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  const cached = quotedKeys.get(key);
  if (cached !== undefined) return cached;
  const quotedForm = quoted(key);
  if (key.length <= MAX_CACHED_KEY_LENGTH) {
    if (quotedKeys.size >= MAX_CACHED_KEYS) quotedKeys.clear();
    quotedKeys.set(key, quotedForm);
  }
  return quotedForm;
}

/**
 * The keys in code-unit order, as `Array.prototype.sort` puts strings: by
 * insertion for the few keys an object usually has (the built-in sort costs more
 * there), by the built-in sort beyond. Keys of one object are distinct.
 */
function sortedKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index += 1) {
    const key = keys[index] as string;
    let before = index - 1;
    while (before >= 0 && (keys[before] as string) > key) {
      keys[before + 1] = keys[before] as string;
      before -= 1;
    }
    keys[before + 1] = key;
  }
  return keys;
}
