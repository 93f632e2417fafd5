import type { Clock } from '../core/clock.js';
import { canonicalIp } from './address.js';

export interface AuthRateLimiterOptions {
  readonly clock: Clock;
  /** Failures allowed per window before the source is blocked. Default 10. */
  readonly maxFailures?: number;
  /** Window length in ms; a block lasts until the window that reached the limit ends. Default 60 000. */
  readonly windowMs?: number;
  /** Most sources tracked at once; the oldest windows are evicted first. Default 10 000. */
  readonly maxEntries?: number;
}

interface Window {
  readonly start: number;
  failures: number;
}

/**
 * The bucket an address counts against. IPv6 sources share their /64, since one host usually
 * owns a whole /64 and could otherwise rotate addresses to dodge the limit; IPv4-mapped IPv6 is
 * plain IPv4.
 */
export function rateLimitKey(address: string): string {
  const ip = canonicalIp(address);
  if (ip === null) return address;
  if (ip.family === 4) return [...ip.bytes].join('.');
  return `${Buffer.from(ip.bytes.subarray(0, 8)).toString('hex')}/64`;
}

/** Fixed-window limiter on failed authentications per source (injected clock, bounded memory). */
export class AuthRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: AuthRateLimiterOptions) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  private live(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w !== undefined && now - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  isBlocked(address: string): boolean {
    const w = this.live(rateLimitKey(address), this.options.clock.now());
    return w !== undefined && w.failures >= this.maxFailures;
  }

  recordFailure(address: string): void {
    const now = this.options.clock.now();
    const key = rateLimitKey(address);
    const w = this.live(key, now);
    if (w !== undefined) {
      w.failures++;
      return;
    }
    // Insertion order is window-start order, so the oldest entries sit at the front of the Map.
    this.windows.set(key, { start: now, failures: 1 });
    this.evict(now);
  }

  /** A success clears the count, unless the source is already blocked (a block runs its course). */
  recordSuccess(address: string): void {
    const key = rateLimitKey(address);
    const w = this.live(key, this.options.clock.now());
    if (w !== undefined && w.failures < this.maxFailures) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.maxEntries && now - w.start < this.windowMs) break;
      this.windows.delete(key);
    }
  }
}
