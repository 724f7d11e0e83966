import { describe, expect, it } from 'vitest';
import { callTimeout } from '../../../../src/engines/binding/call-timeout.js';

describe('callTimeout', () => {
  it("takes the call's timeout, else the default", () => {
    expect(callTimeout({ timeoutMs: 250 }, 30_000)).toEqual({ ok: true, timeoutMs: 250 });
    expect(callTimeout({}, 30_000)).toEqual({ ok: true, timeoutMs: 30_000 });
  });

  it('refuses a timeout that is not a positive finite number, wherever it came from', () => {
    const refused = { ok: false, error: { code: 'INVALID_BINDING', message: 'timeoutMs must be a positive number' } };
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(callTimeout({ timeoutMs }, 30_000)).toEqual(refused);
      expect(callTimeout({}, timeoutMs)).toEqual(refused);
    }
  });
});
