import { describe, expect, it } from 'vitest';
import { AllowedSubscriptions } from '../../../src/mcp/resource-subscriptions.js';

describe('AllowedSubscriptions.contextCovering', () => {
  const subscriptions = new AllowedSubscriptions();
  subscriptions.add('notes://local', { by: 'notes' });
  subscriptions.add('files://host/a/', { by: 'a/' });

  it.each([
    ['notes://local', 'notes'],
    ['notes://local/', 'notes'],
    ['notes://local/private', 'notes'],
    ['notes://local/a/b/c', 'notes'],
    ['files://host/a/', 'a/'],
    ['files://host/a/b', 'a/'],
  ])('finds the subscription that covers %j', (uri, by) => {
    expect(subscriptions.contextCovering(uri)).toEqual({ by });
  });

  it.each([
    ['notes://localhost/x'],
    ['notes://other/local'],
    ['files://host/a'],
    ['files://host/ab'],
    ['files://host/'],
    ['notes:local/x'],
  ])('finds none for %j, which no subscription covers', (uri) => {
    expect(subscriptions.contextCovering(uri)).toBeUndefined();
  });

  it('forgets a removed subscription and every one after clear', () => {
    const own = new AllowedSubscriptions();
    own.add('notes://local/a', {});
    own.add('notes://local/b', {});
    own.remove('notes://local/a');
    expect(own.contextCovering('notes://local/a')).toBeUndefined();
    expect(own.contextCovering('notes://local/b')).toEqual({});
    own.clear();
    expect(own.contextCovering('notes://local/b')).toBeUndefined();
  });
});
