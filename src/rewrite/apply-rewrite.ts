import { isArrayIndex } from '../path/own-property.js';
import type { PatternSegment } from '../path/parse-path.js';
import type { JsonValue, PathSegment, RewriteOp } from '../types.js';
import { describeValueType } from './value-type.js';

/** What an op does to one field it addresses. */
export type FieldEdit =
  { readonly kind: 'keep' } | { readonly kind: 'write'; readonly value: unknown } | { readonly kind: 'remove' } | FieldFailure;

/** The op cannot handle the field: it is left as it was, and the policy is violated. */
export interface FieldFailure {
  readonly kind: 'fail';
  /** What the op needs there (`a number`). */
  readonly expected: string;
  /** What kind of value was there (`a string`): never the value itself. */
  readonly found: string;
  /** A message of its own, when "expected ..., found ..." does not say it. */
  readonly reason?: string;
}

/** A rewrite op compiled for one definition: it decides, field by field, what to do. */
export interface FieldOp {
  /** The op's name. */
  readonly op: RewriteOp;
  /** True for `set_default`: missing (or null) objects on the way are created, and a scalar on the way is a failure. */
  readonly creates: boolean;
  /** The constant recorded with each rewrite: the cap, the default or the mask; `undefined` for the others. */
  readonly recorded: JsonValue | undefined;
  /** The edit for a field holding `value`; `present` is false when the field is missing. */
  edit(value: unknown, present: boolean): FieldEdit;
}

/**
 * Where a walk reports what it did, field by field, each at its concrete path
 * (array indices as numbers). Each `path` is a fresh array the sink may keep.
 */
export interface RewriteSink {
  /** A field was written or removed; called in walk order. */
  changed(op: FieldOp, path: PathSegment[]): void;
  /** The op could not handle the field. */
  failed(op: FieldOp, path: PathSegment[], failure: FieldFailure): void;
}

const KEEP: FieldEdit = Object.freeze({ kind: 'keep' });

/**
 * Applies rewrite ops, one {@link RewriteWalk.apply} per op, reporting to one
 * sink. One walk serves every op of one call: rewrites run on every action a
 * rewriting policy sees, and most change nothing, so the walk allocates nothing
 * of its own but a path stack, and a path only for a field it reports.
 */
export class RewriteWalk {
  // The path of the value being visited: pushed and popped as the walk descends,
  // copied only when a field is reported.
  private readonly path: PathSegment[] = [];
  // Set by `apply` before any field is visited.
  private segments: readonly PatternSegment[] = [];
  private op!: FieldOp;

  /** A walk reporting to `sink`. */
  constructor(private readonly sink: RewriteSink) {}

  /**
   * Applies `op` at every field `segments` addresses in `root`, copy-on-write:
   * only the containers on the way to a change are copied (objects by spread,
   * arrays by slice), every other subtree is shared, and `root` itself is
   * returned when nothing changed. Only own properties are read; keys are written
   * as own data properties, so `__proto__` is a key like any other. A `*` segment
   * visits every element of an array (holes skipped) or every own enumerable key
   * of an object, the keys a copy keeps. Paths are those of the values as found,
   * before any of this op's removals. A getter that throws is not caught.
   */
  apply(root: object, segments: readonly PatternSegment[], op: FieldOp): object {
    this.segments = segments;
    this.op = op;
    // A getter that throws leaves the stack part-filled; the next op starts from an empty one.
    this.path.length = 0;
    return this.container(root, 0) as object;
  }

  /** `value` (found at the current path, the container of segment `depth`) after the rewrite: the same value when nothing changed. */
  private container(value: unknown, depth: number): unknown {
    if (typeof value === 'object' && value !== null) {
      return Array.isArray(value) ? this.array(value, depth) : this.object(value, depth);
    }
    if (!this.op.creates) return value;
    // set_default builds missing objects on the way (a null one counts as missing),
    // but never writes through a scalar that holds data.
    if (value === undefined || value === null) {
      const created = {};
      const filled = this.object(created, depth);
      return filled === created ? value : filled;
    }
    this.fail({ kind: 'fail', expected: 'an object', found: describeValueType(value) });
    return value;
  }

  private object(value: object, depth: number): object {
    const segment = this.segments[depth];
    if (segment === undefined) return value;
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    const keys = segment.kind === 'any' ? Object.keys(value) : [segment.key];
    for (const key of keys) {
      const present = Object.hasOwn(value, key);
      const child = present ? record[key] : undefined;
      this.path.push(key);
      const edit = this.edit(child, present, depth);
      this.path.pop();
      if (edit.kind === 'write') {
        copy ??= { ...record };
        Object.defineProperty(copy, key, { value: edit.value, writable: true, enumerable: true, configurable: true });
      } else if (edit.kind === 'remove') {
        copy ??= { ...record };
        // An own property of a fresh copy: deleting `__proto__` here removes that key, never a prototype.
        Reflect.deleteProperty(copy, key);
      }
    }
    return copy ?? value;
  }

  private array(value: readonly unknown[], depth: number): readonly unknown[] {
    const segment = this.segments[depth];
    if (segment === undefined) return value;
    let indices: number[];
    if (segment.kind === 'any') {
      indices = [];
      for (let index = 0; index < value.length; index += 1) if (Object.hasOwn(value, index)) indices.push(index);
    } else if (isArrayIndex(segment.key)) {
      indices = [Number(segment.key)];
    } else {
      // An array answers only to indices: any other key is missing.
      if (this.op.creates) {
        this.path.push(segment.key);
        this.fail({ kind: 'fail', expected: 'an object', found: 'an array' });
        this.path.pop();
      }
      return value;
    }
    let copy: unknown[] | undefined;
    let removed: Set<number> | undefined;
    for (const index of indices) {
      const present = Object.hasOwn(value, index);
      this.path.push(index);
      if (!present && this.op.creates) {
        // Filling a missing element would grow the array or leave holes in it.
        this.fail({ kind: 'fail', expected: 'an existing array element', found: 'no such element' });
        this.path.pop();
        continue;
      }
      const edit = this.edit(present ? value[index] : undefined, present, depth);
      this.path.pop();
      if (edit.kind === 'write') {
        copy ??= value.slice();
        Object.defineProperty(copy, index, { value: edit.value, writable: true, enumerable: true, configurable: true });
      } else if (edit.kind === 'remove') {
        (removed ??= new Set()).add(index);
      }
    }
    return removed === undefined ? (copy ?? value) : withoutElements(copy ?? value, removed);
  }

  /** The edit for the field at the current path: the op's own at the last segment, else the rewritten child. */
  private edit(child: unknown, present: boolean, depth: number): FieldEdit {
    const op = this.op;
    if (depth < this.segments.length - 1) {
      if (!present && !op.creates) return KEEP;
      const rewritten = this.container(child, depth + 1);
      return rewritten === child ? KEEP : { kind: 'write', value: rewritten };
    }
    const edit = op.edit(child, present);
    if (edit.kind === 'fail') this.fail(edit);
    else if (edit.kind !== 'keep') this.sink.changed(op, this.path.slice());
    return edit;
  }

  private fail(failure: FieldFailure): void {
    this.sink.failed(this.op, this.path.slice(), failure);
  }
}

// A new array without the removed indices; holes elsewhere stay holes.
function withoutElements(source: readonly unknown[], removed: ReadonlySet<number>): unknown[] {
  const result: unknown[] = [];
  let length = 0;
  for (let index = 0; index < source.length; index += 1) {
    if (removed.has(index)) continue;
    if (Object.hasOwn(source, index)) result[length] = source[index];
    length += 1;
  }
  result.length = length;
  return result;
}
