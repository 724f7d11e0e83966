import { describe, expect, it } from 'vitest';
import { compileMessageTemplate, literalBraces } from '../../../src/predicate/message-template.js';

/** Which brace text a message template fills, and which it leaves as written. */

describe('literalBraces', () => {
  it('lists brace text that is no placeholder, and agrees with what the template prints', () => {
    const template = '{field} {arguments.x} { op } {} {{actual}} {1}';
    expect(literalBraces(template)).toEqual(['{arguments.x}', '{ op }', '{}', '{1}']);
    const render = compileMessageTemplate(template, '/message');
    const printed = render({ policy: 'p', tool: 't', field: 'f', op: 'eq', expected: 1, actual: 2 });
    expect(printed).toBe('f {arguments.x} { op } {} {2} {1}');
    for (const text of literalBraces(template)) expect(printed).toContain(text);
    expect(literalBraces('{policy}: {tool} {field} {op} {expected} {actual}')).toEqual([]);
  });
});
