import { DEFAULT_MASK } from '../rewrite/rewrite-ops.js';
import { renderValue } from '../render-value.js';
import type { RewriteDefinition } from '../types.js';

/** A rewrite in readable form, e.g. `cap arguments.limit at 100` or `remove arguments.headers.authorization`. */
export function describeRewrite(rewrite: RewriteDefinition): string {
  switch (rewrite.op) {
    case 'cap_value':
      return `cap ${rewrite.field} at ${rewrite.value}`;
    case 'set_default':
      return `set ${rewrite.field} to ${renderValue(rewrite.value)} when missing or null`;
    case 'mask_field':
      return `mask ${rewrite.field} as ${renderValue(rewrite.value ?? DEFAULT_MASK)}`;
    case 'remove_field':
      return `remove ${rewrite.field}`;
    case 'replace':
      return `replace /${rewrite.pattern}/${rewrite.flags ?? ''} with ${renderValue(rewrite.with)} in ${rewrite.field}`;
  }
}
