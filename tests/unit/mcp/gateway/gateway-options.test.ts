import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../../src/index.js';
import type { PolicyDefinition } from '../../../../src/index.js';
import { isTierguardError } from '../../../../src/errors.js';
import { createGateway } from '../../../../src/mcp/gateway/create-gateway.js';
import type { DecisionObservation } from '../../../../src/mcp/gateway/decision-observer.js';
import type { GatewayOptions } from '../../../../src/mcp/gateway/gateway-options.js';
import { rejectionOf } from '../guard-support.js';
import { ECHO_TARGET, cleanUp, fronted } from './gateway-support.js';

/** Identity, the tool-schema hook, metrics and the options createGateway refuses. */

const ALICE_ONLY: PolicyDefinition = {
  id: 'echo.alice-only',
  tools: ['echo'],
  assert: { field: 'context.auth.clientId', op: 'eq', value: 'alice' },
  message: 'only alice may echo',
};

afterEach(cleanUp);

describe('createGateway: identity', () => {
  it('gives policies the configured identity as context.auth, never what the client writes', async () => {
    const { client } = await fronted([ALICE_ONLY], { identity: { token: 'not-shown', clientId: 'alice', scopes: ['echo'] } });
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
    const anonymous = await fronted([ALICE_ONLY]);
    const forged = await anonymous.client.callTool({ name: 'echo', arguments: { text: 'hi' }, _meta: { auth: { clientId: 'alice' } } });
    expect(forged.isError).toBe(true);
    expect(JSON.stringify(forged.content)).toContain('only alice may echo');
  });
});

describe('createGateway: checking policies against the downstream tools', () => {
  const checker = (tools: { name: string }[]) =>
    tools.some((tool) => tool.name === 'echo') ? ['policy "x" reads arguments.txet, which echo does not have'] : [];

  it('refuses to start when the check reports problems, and stops the downstream server', async () => {
    const error = await rejectionOf(fronted([ALICE_ONLY], { checkToolSchemas: checker }));
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
    expect(error.message).toContain('arguments.txet');
  });

  it('logs the problems and serves under lenient', async () => {
    const { client, logs } = await fronted([ALICE_ONLY], {
      checkToolSchemas: checker,
      lenient: true,
      identity: { token: '', clientId: 'alice', scopes: [] },
    });
    expect(logs).toEqual(['warning: policy "x" reads arguments.txet, which echo does not have']);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
  });
});

describe('createGateway: metrics', () => {
  it('reports every decision with its method, verdict and evaluation time', async () => {
    const seen: DecisionObservation[] = [];
    const { client } = await fronted([ALICE_ONLY], { metrics: (observation) => seen.push(observation) });
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(seen.map(({ method, verdict, phase }) => ({ method, verdict, phase }))).toEqual([
      { method: 'initialize', verdict: 'allow', phase: 'request' },
      { method: 'tools/call', verdict: 'deny', phase: 'request' },
    ]);
    expect(seen.every((observation) => typeof observation.evalMs === 'number' && observation.evalMs >= 0)).toBe(true);
  });
});

describe('createGateway: options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['needs exactly one of engine and policies', { downstream: ECHO_TARGET }],
    ['downstream.command must name the server', { policies: [], downstream: { command: '' } }],
    ['downstream.url must be an http: or https: URL', { policies: [], downstream: { url: 'file:///etc/passwd' } }],
    ['restart must be "never" or "on-failure"', { policies: [], downstream: ECHO_TARGET, restart: 'always' }],
    ['unknown option "timeout"', { policies: [], downstream: ECHO_TARGET, timeout: 5 }],
    ['denyAs must be "result" or "error"', { policies: [], downstream: ECHO_TARGET, denyAs: 'silence' }],
  ])('refuses options where %s, before spawning anything', async (message, options) => {
    const error = await rejectionOf(createGateway(options as unknown as GatewayOptions));
    expect(isTierguardError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(error.message).toContain(message);
  });

  it('refuses mode, onDecision and metrics beside an engine of your own', async () => {
    const engine = await createEngine({ policies: [ALICE_ONLY] });
    const error = await rejectionOf(createGateway({ engine, downstream: ECHO_TARGET, mode: 'monitor' }));
    expect(error.message).toContain('mode applies to the engine createGateway compiles from policies');
  });

  it('names the command when the downstream server cannot be started', async () => {
    const error = await rejectionOf(createGateway({ policies: [ALICE_ONLY], downstream: { command: 'tierguard-no-such-server-binary' } }));
    expect(error.message).toContain('cannot start the downstream server tierguard-no-such-server-binary');
  });
});
