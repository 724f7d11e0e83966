import { jsonEquals } from '../json-values.js';
import type { Limits } from '../limits.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { JsonValue, RewriteDefinition, RewriteOp } from '../types.js';
import type { FieldEdit, FieldOp } from './apply-rewrite.js';
import { compileReplace } from './replace-op.js';
import { describeValueType } from './value-type.js';

/**
 * One small compiler per rewrite op, in one table. Each turns a schema-valid
 * definition into a {@link FieldOp} that decides, field by field, what to write;
 * the walk that finds the fields and copies the containers is shared
 * (`apply-rewrite.ts`). An op that would change nothing says `keep`, so that a
 * rewrite is recorded only where the action changed.
 */

/** Compiles the definition of one op, found at `pointer` (`/rewrite/0`); throws {@link DefinitionIssue}. */
type OpCompiler<Op extends RewriteOp> = (definition: Extract<RewriteDefinition, { op: Op }>, pointer: string, limits: Limits) => FieldOp;

const KEEP: FieldEdit = Object.freeze({ kind: 'keep' });
const REMOVE: FieldEdit = Object.freeze({ kind: 'remove' });

/** The mask `mask_field` writes when the definition gives none. */
export const DEFAULT_MASK = '***';

const capValue: OpCompiler<'cap_value'> = (definition, pointer) => {
  const cap: unknown = definition.value;
  // The schema asks for a number; NaN or an infinity (possible from JavaScript, not JSON) would cap nothing.
  if (typeof cap !== 'number' || !Number.isFinite(cap)) throw new DefinitionIssue(`${pointer}/value`, 'a finite number', undefined, cap);
  const write: FieldEdit = Object.freeze({ kind: 'write', value: cap });
  return {
    op: 'cap_value',
    creates: false,
    recorded: cap,
    edit(value, present) {
      if (!present || value === null) return KEEP;
      if (typeof value !== 'number' || Number.isNaN(value)) return { kind: 'fail', expected: 'a number', found: describeValueType(value) };
      return value > cap ? write : KEEP;
    },
  };
};

const setDefault: OpCompiler<'set_default'> = (definition) => {
  const constant = privateConstant(definition.value);
  return {
    op: 'set_default',
    creates: true,
    recorded: constant,
    edit: (value, present) => (present && value !== null ? KEEP : { kind: 'write', value: fresh(constant) }),
  };
};

const maskField: OpCompiler<'mask_field'> = (definition) => {
  const mask = privateConstant(definition.value ?? DEFAULT_MASK);
  return {
    op: 'mask_field',
    creates: false,
    recorded: mask,
    edit(value, present) {
      if (!present || value === null || jsonEquals(value, mask)) return KEEP;
      return { kind: 'write', value: fresh(mask) };
    },
  };
};

const removeField: OpCompiler<'remove_field'> = () => ({
  op: 'remove_field',
  creates: false,
  recorded: undefined,
  // A present null is removed too: the key goes, whatever it held.
  edit: (_value, present) => (present ? REMOVE : KEEP),
});

// Keyed by op, each compiler typed for its own definition; `compileRewriteOp` is the one place that narrows.
const COMPILERS: { readonly [Op in RewriteOp]: OpCompiler<Op> } = {
  cap_value: capValue,
  set_default: setDefault,
  mask_field: maskField,
  remove_field: removeField,
  replace: compileReplace,
};

/** Compiles one rewrite definition found at `pointer` (`/rewrite/0`); throws {@link DefinitionIssue} for what the schema cannot check. */
export function compileRewriteOp(definition: RewriteDefinition, pointer: string, limits: Limits): FieldOp {
  // The table pairs each op with the compiler for its own definition; TypeScript cannot follow that pairing through an index.
  const compile = COMPILERS[definition.op] as OpCompiler<RewriteOp>;
  return compile(definition, pointer, limits);
}

// The policy's constant, copied and frozen once: neither the caller's definition
// nor anyone holding a Rewrite record can change what later rewrites write.
function privateConstant(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value;
  return deepFreeze(structuredClone(value));
}

// Each write gets its own copy, so the rewritten action is plain, mutable data
// and no two fields share one object.
function fresh(constant: JsonValue): JsonValue {
  return typeof constant === 'object' && constant !== null ? structuredClone(constant) : constant;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
