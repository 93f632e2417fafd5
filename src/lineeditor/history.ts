/**
 * Session history: submitted parse units, newest last, multi-line entries kept whole. Entries
 * pass the same sanitizer as the buffer, so recalling one can never put a control byte back.
 */
import { sanitizeLine } from './text.js';

export class History {
  private readonly items: string[] = [];
  private readonly limit: number;

  constructor(initial: readonly string[], limit: number) {
    this.limit = limit;
    for (const e of initial) this.add(e);
  }

  get entries(): readonly string[] {
    return this.items;
  }

  /** Append, skipping blank lines and an exact repeat of the newest entry. */
  add(entry: string): void {
    const clean = sanitizeLine(entry);
    if (clean.trim() === '' || this.items[this.items.length - 1] === clean) return;
    this.items.push(clean);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  /** Newest index <= from whose entry contains query, or -1. */
  searchBackward(query: string, from: number): number {
    for (let i = Math.min(from, this.items.length - 1); i >= 0; i--) {
      if ((this.items[i] ?? '').includes(query)) return i;
    }
    return -1;
  }
}
