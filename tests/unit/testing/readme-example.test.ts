// The README's "Testing your policies with vitest" example, as a user writes it
// (importing by package name), so the documented snippet keeps working.
import { expect, it } from 'vitest';
import { createEngine } from 'tierguard';
import { tierguardMatchers } from 'tierguard/testing';

expect.extend(tierguardMatchers);

it('refuses large payments', async () => {
  const engine = await createEngine({
    policies: [{ id: 'payments.limit', assert: { field: 'arguments.amount', op: 'lte', value: 1000 } }],
  });
  expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } })).toBeDeniedBy('payments.limit');
  expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 50 } })).toAllow();
  await expect(engine.evaluate({ tool: 'pay', arguments: { amount: 50 } })).resolves.not.toDeny();
});
