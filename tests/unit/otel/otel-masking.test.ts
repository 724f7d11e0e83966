import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { PolicyDefinition } from '../../../src/index.js';
import { createOtelAuditSink } from '../../../src/otel/index.js';
import { recordingSdk, type RecordingSdk } from './otel-sdk.js';

/**
 * Masked values never leave through OpenTelemetry: the sink exports the redacted
 * audit event, so a value a rewrite masked (or a monitored policy proposed to
 * mask) is in no exported log record and no metric, while a value nothing
 * masks, quoted by a violation the same way, is.
 */

const PASSWORD = 'hunter2-correct-horse-battery';
const TOKEN = 'sk-live-0123456789abcdef';
const VISIBLE = 'memo-that-nobody-masks';

const POLICIES: PolicyDefinition[] = [
  { id: 'secrets.mask-password', tools: ['login'], rewrite: [{ op: 'mask_field', field: 'arguments.password' }] },
  { id: 'secrets.long-password', tools: ['login'], assert: { field: 'arguments.password', op: 'regex', value: '^.{64,}$' } },
  // Only proposed: the token stays in the action, and a violation quoting it must still not carry it.
  { id: 'secrets.watch-token', tools: ['login'], mode: 'monitor', rewrite: [{ op: 'mask_field', field: 'context.token' }] },
  { id: 'secrets.known-token', tools: ['login'], assert: { field: 'context.token', op: 'eq', value: 'sk-live-expected' } },
  { id: 'login.memo', tools: ['login'], effect: 'warn', assert: { field: 'arguments.memo', op: 'eq', value: 'expected memo' } },
];

const sdks: RecordingSdk[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((sdk) => sdk.shutdown()));
});

describe('masked values and OpenTelemetry', () => {
  it('are absent from every exported log record and metric, while an unmasked quoted value is present', async () => {
    const sdk = recordingSdk();
    sdks.push(sdk);
    const sink = await createOtelAuditSink({
      loggerProvider: sdk.loggerProvider,
      meterProvider: sdk.meterProvider,
      metricTools: ['login'],
    });
    const engine = await createEngine({ policies: POLICIES, onDecision: sink.write });
    const action = { tool: 'login', arguments: { user: 'ada', password: PASSWORD, memo: VISIBLE }, context: { token: TOKEN } };
    const decision = await engine.evaluate(action, { labels: { method: 'tools/call' } });
    engine.evaluateAuto(action);
    await engine.evaluateResponse(action, { content: [{ type: 'text', text: 'ok' }] });
    await sink.flush();

    // The decision itself holds the token (the mask was only proposed), and its violation quotes it: a record built
    // from the decision rather than from the redacted audit event would carry it.
    expect(decision.verdict).toBe('deny');
    expect(JSON.stringify(decision.action)).toContain(TOKEN);
    expect(JSON.stringify(decision.violations)).toContain(TOKEN);
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(['secrets.long-password', 'secrets.known-token']);

    const records = sdk.records();
    expect(records).toHaveLength(3);
    const exportedRecords = JSON.stringify(
      records.map((record) => ({
        eventName: record.eventName,
        severityText: record.severityText,
        body: record.body,
        attributes: record.attributes,
        resource: record.resource.attributes,
        scope: record.instrumentationScope,
      })),
    );
    const exportedMetrics = JSON.stringify([...sdk.metrics().values()]);
    expect(exportedMetrics).toContain('policy_eval_ms');
    for (const exported of [exportedRecords, exportedMetrics]) {
      expect(exported).not.toContain(PASSWORD);
      expect(exported).not.toContain(TOKEN);
      // Nor any telling part of them.
      expect(exported).not.toContain('hunter2');
      expect(exported).not.toContain('0123456789abcdef');
    }
    // The check above can fail: a value nothing masks reaches the record through the same violation fields.
    expect(exportedRecords).toContain(VISIBLE);
  });
});
