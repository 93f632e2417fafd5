import { describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { AuthRateLimiter, rateLimitKey } from './rateLimiter.js';

describe('AuthRateLimiter', () => {
  it('blocks after maxFailures within the window, until the window ends', () => {
    const clock = fixedClock(1_000_000);
    const rl = new AuthRateLimiter({ clock, maxFailures: 3, windowMs: 60_000 });
    for (let i = 0; i < 2; i++) rl.recordFailure('10.0.0.1');
    expect(rl.isBlocked('10.0.0.1')).toBe(false);
    rl.recordFailure('10.0.0.1');
    expect(rl.isBlocked('10.0.0.1')).toBe(true);
    expect(rl.isBlocked('10.0.0.2')).toBe(false);
    rl.recordSuccess('10.0.0.1');
    expect(rl.isBlocked('10.0.0.1')).toBe(true);
    clock.advance(59_999);
    expect(rl.isBlocked('10.0.0.1')).toBe(true);
    clock.advance(1);
    expect(rl.isBlocked('10.0.0.1')).toBe(false);
  });

  it('failures spread over windows do not add up; success resets the count', () => {
    const clock = fixedClock(0);
    const rl = new AuthRateLimiter({ clock, maxFailures: 3, windowMs: 1000 });
    rl.recordFailure('a');
    rl.recordFailure('a');
    clock.advance(1000);
    rl.recordFailure('a');
    rl.recordFailure('a');
    expect(rl.isBlocked('a')).toBe(false);
    rl.recordSuccess('a');
    rl.recordFailure('a');
    rl.recordFailure('a');
    expect(rl.isBlocked('a')).toBe(false);
    rl.recordFailure('a');
    expect(rl.isBlocked('a')).toBe(true);
  });

  it('counts IPv4-mapped IPv6 as IPv4 and an IPv6 /64 as one source', () => {
    const rl = new AuthRateLimiter({ clock: fixedClock(0), maxFailures: 2 });
    rl.recordFailure('::ffff:192.0.2.1');
    rl.recordFailure('192.0.2.1');
    expect(rl.isBlocked('192.0.2.1')).toBe(true);
    rl.recordFailure('2001:db8:1:2::1');
    rl.recordFailure('2001:db8:1:2:ffff::9');
    expect(rl.isBlocked('2001:db8:1:2::77')).toBe(true);
    expect(rl.isBlocked('2001:db8:1:3::1')).toBe(false);
    expect(rateLimitKey('2001:db8:1:2::1')).toBe(rateLimitKey('2001:0db8:0001:0002:aaaa::'));
  });

  it('keeps memory bounded: expired windows go first, then the oldest', () => {
    const clock = fixedClock(0);
    const rl = new AuthRateLimiter({ clock, maxFailures: 1, windowMs: 1000, maxEntries: 100 });
    for (let i = 0; i < 100; i++) rl.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size).toBe(100);
    clock.advance(500);
    rl.recordFailure('10.9.9.9');
    expect(rl.size).toBe(100);
    expect(rl.isBlocked('10.0.0.0')).toBe(false);
    expect(rl.isBlocked('10.0.0.1')).toBe(true);
    clock.advance(600);
    for (let i = 0; i < 5; i++) rl.recordFailure(`172.16.0.${i}`);
    expect(rl.size).toBe(6);
    for (let i = 0; i < 10_000; i++) rl.recordFailure(`192.168.${i >> 8}.${i & 255}`);
    expect(rl.size).toBeLessThanOrEqual(100);
  });
});
