import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../../../src/cli/gateway-args.js';
import { requirePolicyInput } from '../../../src/cli/policy-input.js';
import { UsageError } from '../../../src/cli/usage-error.js';

/** `--policies` or `--config`, exactly one, on every command that reads policies. */
describe('requirePolicyInput', () => {
  it.each([[{ policies: 'p' }], [{ config: 'c.yaml' }], [{ config: 'c.yaml', strict: true }]])('accepts %j', (values) => {
    expect(() => requirePolicyInput(values)).not.toThrow();
  });

  it('refuses both, and neither', () => {
    expect(() => requirePolicyInput({ policies: 'p', config: 'c.yaml' })).toThrow(
      new UsageError('give --policies or --config, not both: a config file lists its own sources'),
    );
    expect(() => requirePolicyInput({})).toThrow(new UsageError('--policies is required'));
  });
});

describe('parseGatewayArgs with --config', () => {
  it('takes --config and --strict, and leaves the mode to the config when --mode is absent', () => {
    const args = parseGatewayArgs(['--config', 'c.yaml', '--strict', '--', 'server'], {});
    expect(args.input).toEqual({ policies: undefined, config: 'c.yaml', strict: true });
    expect(args.mode).toBeUndefined();
    expect(parseGatewayArgs(['--config', 'c.yaml', '--mode', 'monitor', '--', 'server'], {}).mode).toBe('monitor');
  });

  it('refuses --config with --policies', () => {
    expect(() => parseGatewayArgs(['--config', 'c.yaml', '--policies', 'p', '--', 'server'], {})).toThrow(/not both/);
  });
});
