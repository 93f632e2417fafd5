/**
 * Web session lifetimes with an injected clock: idle timeout, absolute lifetime, one-use pending
 * sign-ins that expire, and ids that are not guessable shapes.
 */
import { describe, expect, it } from 'vitest';
import { sameSecret } from '../../core/secret.js';
import { WebSessionStore } from './sessions.js';

const user = { subject: 'a@example.com', kind: 'human' as const, groups: ['auditors'], issuer: 'https://idp' };
const pending = { state: 's', nonce: 'n', verifier: 'v', redirectUri: 'http://127.0.0.1/callback' };

describe('web sessions', () => {
  it('end after the idle timeout, and at the latest after the maximum lifetime even when busy', () => {
    let now = 0;
    const store = new WebSessionStore({ idleMs: 30 * 60_000, maxMs: 8 * 3600_000, now: () => now });
    const s = store.create(user);
    expect(s.id).toMatch(/^[\w-]{43}$/);
    expect(s.csrf).not.toBe(s.id);
    now += 29 * 60_000;
    expect(store.get(s.id)).toBe(s);
    now += 31 * 60_000;
    expect(store.get(s.id)).toBeUndefined();
    const busy = store.create(user);
    for (let i = 0; i < 31; i++) {
      now += 15 * 60_000;
      expect(store.get(busy.id)).toBe(busy);
    }
    now += 16 * 60_000;
    expect(store.get(busy.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get('short')).toBeUndefined();
  });

  it('a pending sign-in is taken once and not after ten minutes', () => {
    let now = 0;
    const store = new WebSessionStore({ idleMs: 1, maxMs: 1, now: () => now });
    const key = store.begin(pending, '/sessions');
    expect(store.takePending(key)).toEqual({ login: pending, returnTo: '/sessions' });
    expect(store.takePending(key)).toBeUndefined();
    const late = store.begin(pending, '/');
    now += 10 * 60_000 + 1;
    expect(store.takePending(late)).toBeUndefined();
  });

  it('compares tokens in constant time and only equal ones match', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
