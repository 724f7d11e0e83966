import { describe, expect, it } from 'vitest';
import { canonicalResourceUri } from '../../../src/mcp/resource-uri.js';

/** The canonical form of a resource URI: one spelling per resource, and nothing that does not parse. */

describe('canonicalResourceUri', () => {
  it.each([
    ['secret://vault/key', 'secret://vault/key'],
    ['SECRET://vault/key', 'secret://vault/key'],
    ['Secret://vault/key', 'secret://vault/key'],
    [' secret://vault/key', 'secret://vault/key'],
    ['secret://vault/key \n', 'secret://vault/key'],
    ['secret://vault/k\tey', 'secret://vault/key'],
    ['secret://VAULT/key', 'secret://vault/key'],
    ['secret://%76ault/key', 'secret://vault/key'],
    ['secret://vault/%6Bey', 'secret://vault/key'],
    ['secret://vault/%6bey', 'secret://vault/key'],
    ['secret://vault/public/../key', 'secret://vault/key'],
    ['secret://vault/public/%2e%2E/key', 'secret://vault/key'],
    ['secret://vault/./key', 'secret://vault/key'],
    ['secret://vault/a%2fb', 'secret://vault/a%2Fb'],
    ['secret://vault/%252E', 'secret://vault/%252E'],
    ['secret://vault/key?Q=%7e#F', 'secret://vault/key?Q=~#F'],
    ['secret://vault/{name}', 'secret://vault/%7Bname%7D'],
    ['HTTP://Example.COM:80/a/%7E', 'http://example.com/a/~'],
    ['https://example.com:443/', 'https://example.com/'],
    ['http://0x7f.1/', 'http://127.0.0.1/'],
    ['file:///etc/../etc/passwd', 'file:///etc/passwd'],
    ['secret:Vault/key', 'secret:Vault/key'],
  ])('%j is %j', (uri, canonical) => {
    expect(canonicalResourceUri(uri)).toBe(canonical);
  });

  it('is stable: the canonical form of a canonical form is itself', () => {
    for (const uri of ['SECRET://Va%55lt/%6b?x=%2f', 'secret://V%7bault/key', 'web+demo:/.//not-a-host/', 'x:/a/..//b']) {
      const canonical = canonicalResourceUri(uri);
      expect(canonical).toBeTypeOf('string');
      expect(canonicalResourceUri(canonical)).toBe(canonical);
      expect(new URL(canonical as string).href).toBe(canonical);
    }
  });

  it.each([['not a uri'], [''], ['   '], ['vault/key'], ['/vault/key'], ['://vault/key'], ['http://exa mple.com/']])(
    'refuses %j, which does not parse as an absolute URL',
    (uri) => {
      expect(canonicalResourceUri(uri)).toBeUndefined();
    },
  );

  it.each([[undefined], [null], [42], [['secret://vault/key']], [{ href: 'secret://vault/key' }]])(
    'refuses %j, which is not a string',
    (uri) => {
      expect(canonicalResourceUri(uri)).toBeUndefined();
    },
  );
});
