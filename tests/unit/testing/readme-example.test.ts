// The README's "Testing your policies with vitest" example, as a user writes it
// (importing by package name), so the documented snippet keeps working here too;
// tests/e2e/packed-install.test.ts runs the README's own text from an installed package.
import { expect, it } from 'vitest';
import { createEngine } from 'tierguard';
import { tierguardMatchers } from 'tierguard/testing';

expect.extend(tierguardMatchers);

it('refuses large payments', async () => {
  const engine = await createEngine({
    policies: [{ id: 'payments.limit', assert: { field: 'arguments.amount', op: 'lte', value: 1000 } }],
  });
  expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } })).toBeDeniedBy('payments.limit');
  expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } })).toHaveViolationAt('arguments.amount');
  expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 50 } })).toAllow();
  await expect(engine.evaluate({ tool: 'pay', arguments: { amount: 50 } })).resolves.not.toDeny();
});

it('asks for review, warns and rewrites', async () => {
  const engine = await createEngine({
    policies: [
      { id: 'payments.review', effect: 'escalate', assert: { field: 'arguments.amount', op: 'lte', value: 500 } },
      { id: 'payments.note', effect: 'warn', require: ['arguments.note'] },
      { id: 'payments.cap', rewrite: [{ op: 'cap_value', field: 'arguments.fee', value: 10 }] },
    ],
  });
  const decision = engine.evaluateAuto({ tool: 'pay', arguments: { amount: 700, fee: 25 } });
  expect(decision).toBeEscalatedBy('payments.review');
  expect(decision).toWarn('payments.note');
  expect(decision).toRewrite('arguments.fee');
  expect(decision).not.toRewrite('arguments.amount');
});
