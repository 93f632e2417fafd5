/**
 * Key bindings and the buffer edits they make, with the incremental redraw after each edit.
 * LineEditor (editor.ts) adds the public API, type-ahead and the submit/interrupt/EOF exits.
 */
import type { History } from './history.js';
import type { Key, KeyName } from './keys.js';
import { Layout, moveCursor, promptTokens } from './layout.js';
import type { Pen, PrefixToken } from './layout.js';
import type { EditorEffect, EditorMode } from './effects.js';
import {
  columnOf, lineEnd, lineStart, nextBoundary, offsetAtColumn, prevBoundary,
  unixWordLeft, wordLeft, wordRight,
} from './motion.js';
import { dropLoneMarks, graphemeWidth } from './text.js';
import { ReverseSearch } from './search.js';

export abstract class EditingCore {
  protected text = '';
  protected pos = 0;
  protected state: EditorMode = 'idle';
  protected promptTokens: PrefixToken[] = [];
  /** Prefix of the first line as shown now: the prompt, or the search prompt. */
  protected prefix: readonly PrefixToken[] = [];
  protected layout: Layout | null = null;
  /** Terminal cursor, relative to the region's first row. */
  protected term: Pen = { row: 0, col: 0 };
  protected nav: { lines: string[]; index: number } | null = null;
  protected srch: ReverseSearch | null = null;
  private killed = '';
  private lastQuery = '';
  protected fx: EditorEffect[] = [];
  protected w = '';

  constructor(
    protected cols: number,
    protected readonly hist: History,
    protected readonly maxLength: number,
    private readonly isComplete: (text: string) => boolean,
  ) {}

  protected abstract onComplete(): void;
  protected abstract onSubmit(): void;
  protected abstract onInterrupt(): void;
  protected abstract onEof(): void;
  protected abstract onEdited(): void;

  // ---- output -------------------------------------------------------------------------------

  protected flushWrite(): void {
    if (this.w) this.fx.push({ type: 'write', data: this.w });
    this.w = '';
  }

  protected effect(e: EditorEffect): void {
    this.flushWrite();
    this.fx.push(e);
  }

  protected bell(): void {
    this.effect({ type: 'bell' });
  }

  /** Redraw the whole region; `fresh` means the terminal is already at its first cell. */
  protected redraw(fresh: boolean): void {
    const nl = new Layout(this.prefix, this.text, this.cols);
    if (!fresh) this.w += moveCursor(this.term, { row: 0, col: 0 });
    this.term = { row: 0, col: 0 };
    this.paint(nl, 0);
  }

  private paint(nl: Layout, from: number, clearBelow = true): void {
    const d = nl.drawFrom(from, clearBelow);
    this.w += moveCursor(this.term, d.start) + d.out;
    this.term = d.end;
    this.layout = nl;
    this.placeCursor();
  }

  private placeCursor(): void {
    if (!this.layout) return;
    const p = this.layout.position(this.pos);
    this.w += moveCursor(this.term, p);
    this.term = p;
  }

  /** Text changed from offset `changed` on: redraw from just before it. */
  private refresh(changed: number): void {
    this.onEdited();
    const old = this.layout;
    const nl = new Layout(this.prefix, this.text, this.cols);
    // Clusters ending before `changed` are unchanged. If the cluster ending at `changed` is the
    // same in both texts, drawing starts at `changed` (typing at the end echoes just the
    // character); otherwise one cluster earlier, which also covers segmentation context.
    const k = nl.clusterEndingAt(changed);
    const same = old !== null && k >= 0 && old.clusterEndingAt(changed) === k;
    const from = same || changed === 0 ? changed : nl.clusterBefore(changed, 1);
    const append = old !== null && changed === old.text.length && same;
    this.paint(nl, from, !append);
  }

  protected clip(s: string, room: number): string {
    if (s.length <= room) return s;
    let n = Math.max(0, room);
    const c = s.charCodeAt(n - 1);
    if (n > 0 && c >= 0xd800 && c <= 0xdbff) n -= 1;
    return s.slice(0, n);
  }

  // ---- edits --------------------------------------------------------------------------------

  protected replace(from: number, to: number, s: string): void {
    const room = this.maxLength - (this.text.length - (to - from));
    // Edits start and end on cluster boundaries, so only inserted text can bring a lone mark.
    const clean = dropLoneMarks(s, this.text.charAt(from - 1));
    const ins = this.clip(clean, room);
    if (ins.length < clean.length) this.bell();
    if (ins === '' && from === to) return;
    this.text = this.text.slice(0, from) + ins + this.text.slice(to);
    // No snapping to a cluster boundary: inserting "ab" must equal inserting "a" then "b"
    // even when the text joins the cluster after it (chunking independence).
    this.pos = from + ins.length;
    this.refresh(from);
  }

  private insert(s: string): void {
    if (s) this.replace(this.pos, this.pos, s);
  }

  private kill(from: number, to: number, save: boolean): void {
    if (from >= to) return;
    if (save) this.killed = this.text.slice(from, to);
    this.replace(from, to, '');
  }

  private moveTo(p: number): void {
    this.pos = p;
    this.placeCursor();
  }

  private enter(): void {
    let complete: boolean;
    try {
      complete = Boolean(this.isComplete(this.text));
    } catch {
      complete = true; // the judge parses it again and fails closed with a reason
    }
    if (complete) return this.onSubmit();
    const end = this.text.length;
    if (end + 1 > this.maxLength) return this.bell();
    this.text += '\n';
    this.pos = this.text.length;
    this.refresh(end);
  }

  private vertical(dir: -1 | 1): void {
    const ls = lineStart(this.text, this.pos);
    const le = lineEnd(this.text, this.pos);
    const prefixW = (start: number): number =>
      start === 0 ? this.prefixWidth(this.promptTokens) : 2;
    if ((dir < 0 && ls > 0) || (dir > 0 && le < this.text.length)) {
      const col = prefixW(ls) + columnOf(this.text, ls, this.pos, graphemeWidth);
      const ts = dir < 0 ? lineStart(this.text, ls - 1) : le + 1;
      const te = dir < 0 ? ls - 1 : lineEnd(this.text, le + 1);
      return this.moveTo(offsetAtColumn(this.text, ts, te, Math.max(0, col - prefixW(ts)), graphemeWidth));
    }
    if (!this.nav) this.nav = { lines: [...this.hist.entries, this.text], index: this.hist.entries.length };
    const next = this.nav.index + dir;
    if (next < 0 || next >= this.nav.lines.length) return this.bell();
    this.nav.lines[this.nav.index] = this.text;
    this.nav.index = next;
    this.text = this.nav.lines[next] ?? '';
    this.pos = this.text.length;
    this.refresh(0);
  }

  private prefixWidth(tokens: readonly PrefixToken[]): number {
    let w = 0;
    for (const t of tokens) if (t.g !== null) w += graphemeWidth(t.g);
    return w;
  }

  private named(name: KeyName): void {
    const t = this.text;
    const p = this.pos;
    switch (name) {
      case 'left':
        return p > 0 ? this.moveTo(prevBoundary(t, p)) : undefined;
      case 'right':
        return p < t.length ? this.moveTo(nextBoundary(t, p)) : undefined;
      case 'home':
        return this.moveTo(lineStart(t, p));
      case 'end':
        return this.moveTo(lineEnd(t, p));
      case 'up':
        return this.vertical(-1);
      case 'down':
        return this.vertical(1);
      case 'delete':
        return p < t.length ? this.kill(p, nextBoundary(t, p), false) : this.bell();
      case 'wordLeft':
        return this.moveTo(wordLeft(t, p));
      case 'wordRight':
        return this.moveTo(wordRight(t, p));
      case 'killWordForward':
        return this.kill(p, wordRight(t, p), true);
      case 'killWordBack':
        return this.kill(wordLeft(t, p), p, true);
    }
  }

  private control(c: number): void {
    const t = this.text;
    const p = this.pos;
    switch (c) {
      case 0x01: return this.named('home');
      case 0x02: return this.named('left');
      case 0x03: return this.onInterrupt();
      case 0x04: return t === '' ? this.onEof() : this.named('delete');
      case 0x05: return this.named('end');
      case 0x06: return this.named('right');
      case 0x08:
      case 0x7f: return p > 0 ? this.kill(prevBoundary(t, p), p, false) : this.bell();
      case 0x09: return this.onComplete();
      case 0x0a:
      case 0x0d: return this.enter();
      case 0x0b: {
        const e = lineEnd(t, p);
        return this.kill(p, e === p && p < t.length ? p + 1 : e, true);
      }
      case 0x0c:
        this.w += '\x1b[H\x1b[2J';
        this.term = { row: 0, col: 0 };
        return this.redraw(true);
      case 0x0e: return this.named('down');
      case 0x10: return this.named('up');
      case 0x12: return this.startSearch();
      case 0x15: return this.kill(lineStart(t, p), p, true);
      case 0x17: return this.kill(unixWordLeft(t, p), p, true);
      case 0x19: return this.insert(this.killed);
      default: return; // ^@, ^V (no quoted insert), ^Z, ^S, ...: never inserted
    }
  }

  protected editKey(k: Key): void {
    switch (k.t) {
      case 'text':
      case 'paste':
        return this.insert(k.s);
      case 'ctrl':
        return this.control(k.c);
      case 'key':
        return this.named(k.name);
      default:
        return; // lone Esc, unknown sequences
    }
  }

  // ---- reverse incremental search ------------------------------------------------------------

  private startSearch(): void {
    this.srch = new ReverseSearch(this.hist, this.text, this.pos);
    this.state = 'search';
    this.showSearch(true);
  }

  private showSearch(ok: boolean): void {
    if (!this.srch) return;
    if (!ok) this.bell();
    this.text = this.srch.shown;
    this.prefix = promptTokens(this.srch.label);
    this.pos = this.text.length;
    this.onEdited();
    this.redraw(false);
  }

  private endSearch(accept: boolean): void {
    const s = this.srch;
    if (!s) return;
    if (s.query) this.lastQuery = s.query;
    this.text = accept ? s.shown : s.saved;
    this.pos = accept ? this.text.length : s.savedPos;
    this.srch = null;
    this.state = 'edit';
    this.nav = null;
    this.prefix = this.promptTokens;
    this.onEdited();
    this.redraw(false);
  }

  protected searchKey(k: Key): void {
    const s = this.srch;
    if (!s) return;
    if (k.t === 'text') return this.showSearch(s.type(k.s));
    if (k.t === 'ctrl' && k.c === 0x12) return this.showSearch(s.again(this.lastQuery));
    if (k.t === 'ctrl' && (k.c === 0x08 || k.c === 0x7f)) return this.showSearch(s.backspace());
    if (k.t === 'ctrl' && (k.c === 0x07 || k.c === 0x03)) return this.endSearch(false);
    if (k.t === 'ctrl' && (k.c === 0x0d || k.c === 0x0a)) {
      this.endSearch(true);
      return this.enter();
    }
    if (k.t === 'esc' || (k.t === 'key' && (k.name === 'left' || k.name === 'right'))) return this.endSearch(true);
    if (k.t === 'ignored') return;
    // Any other key ends the search on the match and then does its usual job.
    this.endSearch(true);
    this.editKey(k);
  }
}
