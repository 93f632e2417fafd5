/**
 * Per-source limit on refused certificate requests: after `max` refusals within `windowMs`, every
 * request from that address is answered 429 until the window ends. Guessing tokens is hopeless,
 * but each refused token can cost a JWKS refetch or a discovery attempt; this bounds that work.
 *
 * Trust boundary: keyed by the TCP peer address. Known limits: per process; fixed windows; the
 * table is capped (oldest entries evicted), so a flood of distinct sources can evict a blocked one.
 */
const MAX_SOURCES = 10_000;

export class RefusalLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `source` has used up its refusals in the current window. */
  blocked(source: string): boolean {
    const w = this.windows.get(source);
    if (w === undefined) return false;
    if (this.now() - w.start >= this.windowMs) {
      this.windows.delete(source);
      return false;
    }
    return w.count >= this.max;
  }

  refused(source: string): void {
    const t = this.now();
    const w = this.windows.get(source);
    if (w === undefined || t - w.start >= this.windowMs) {
      this.windows.delete(source);
      this.windows.set(source, { start: t, count: 1 });
      while (this.windows.size > MAX_SOURCES) this.windows.delete(this.windows.keys().next().value as string);
    } else w.count++;
  }
}
