/**
 * Reverse incremental history search (Ctrl-R) as a small value: the query, the match it shows,
 * and whether the last step failed. The editor draws it; this decides what it shows.
 */
import type { History } from './history.js';
import { graphemes } from './text.js';

export class ReverseSearch {
  query = '';
  /** History index of the match shown, -1 for none (the saved line is shown). */
  match = -1;
  failed = false;
  /** The line shown on the first row: the match, or the line being edited before Ctrl-R. */
  shown: string;

  constructor(
    private readonly hist: History,
    readonly saved: string,
    readonly savedPos: number,
  ) {
    this.shown = saved;
  }

  get label(): string {
    return `${this.failed ? '(failed reverse-i-search)`' : '(reverse-i-search)`'}${this.query}': `;
  }

  /** Typed text narrows, one code point at a time (chunking independence). False on failure. */
  type(text: string): boolean {
    let ok = true;
    for (const ch of text) {
      this.query += ch;
      ok = this.find(this.match >= 0 ? this.match : this.newest) && ok;
    }
    return ok;
  }

  /** Ctrl-R again: the next older match (an empty query reuses `last`). */
  again(last: string): boolean {
    if (this.query === '') {
      this.query = last;
      return this.find(this.newest);
    }
    return this.find(this.match >= 0 ? this.match - 1 : this.newest);
  }

  backspace(): boolean {
    this.query = graphemes(this.query).slice(0, -1).join('');
    return this.find(this.newest);
  }

  private get newest(): number {
    return this.hist.entries.length - 1;
  }

  private find(from: number): boolean {
    if (this.query === '') {
      this.match = -1;
      this.failed = false;
      this.shown = this.saved;
      return true;
    }
    const i = this.hist.searchBackward(this.query, from);
    if (i < 0) {
      this.failed = true; // keep showing the last match, as readline does
      return false;
    }
    this.match = i;
    this.failed = false;
    this.shown = this.hist.entries[i] ?? '';
    return true;
  }
}
