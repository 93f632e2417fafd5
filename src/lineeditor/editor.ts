/**
 * The line editor state machine. Every public method is synchronous, never throws, and returns
 * the effects to perform in order. The invariant kept after every call: the terminal shows the
 * prompt region exactly as `Layout` places it and the terminal cursor sits at `position(cursor)`.
 */
import { History } from './history.js';
import { KeyDecoder } from './keys.js';
import type { Key } from './keys.js';
import { Layout, moveCursor, normalize, promptTokens } from './layout.js';
import type { Pen, PrefixToken } from './layout.js';
import { clampColumns } from './effects.js';
import type { EditorEffect, EditorMode, EditorOptions } from './effects.js';
import { commonPrefix, completionWord, formatListing, usableCandidates } from './completion.js';
import { LineEditorOptionsError } from './errors.js';
import { sanitizeLine, sanitizePrompt } from './text.js';
import { EditingCore } from './editing.js';

const encoder = new TextEncoder();
const PASTE_ON = '\x1b[?2004h';
const PASTE_OFF = '\x1b[?2004l';

export class LineEditor extends EditingCore {
  private readonly maxTypeahead: number;
  private decoder = new KeyDecoder();
  private typeahead: Uint8Array[] = [];
  private typeaheadBytes = 0;
  private pendingComplete: { text: string; cursor: number } | null = null;
  private errors = 0;

  constructor(opts: EditorOptions) {
    if (typeof opts?.isComplete !== 'function') throw new LineEditorOptionsError('isComplete must be a function');
    const limit = opts.historyLimit ?? 1000;
    const maxLength = opts.maxLength ?? 131072;
    const maxTypeahead = opts.maxTypeahead ?? 65536;
    for (const [name, v] of [['historyLimit', limit], ['maxLength', maxLength], ['maxTypeahead', maxTypeahead]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new LineEditorOptionsError(`${name} must be a non-negative integer`);
    }
    super(clampColumns(opts.columns), new History(opts.history ?? [], limit), maxLength, opts.isComplete);
    this.maxTypeahead = maxTypeahead;
  }

  get buffer(): string {
    return this.text;
  }
  get cursor(): number {
    return this.pos;
  }
  get history(): readonly string[] {
    return this.hist.entries;
  }
  get mode(): EditorMode {
    return this.state;
  }
  get columns(): number {
    return this.cols;
  }
  /** The reverse search being typed, if any (what its prompt shows). */
  get search(): { readonly query: string; readonly failed: boolean } | null {
    return this.srch ? { query: this.srch.query, failed: this.srch.failed } : null;
  }
  /** Internal faults recovered from by resetting to an empty prompt (tests assert 0). */
  get internalErrors(): number {
    return this.errors;
  }
  /** True when a lone ESC waits for its next byte; call flushEscape() after a short pause. */
  get pendingEscape(): boolean {
    return this.decoder.pendingEscape;
  }

  /** Show a fresh prompt; bytes that arrived while no prompt was shown are replayed after it. */
  prompt(promptText: string): EditorEffect[] {
    return this.run(() => {
      if (this.state !== 'idle' && this.layout) this.w += moveCursor(this.term, this.endCell()) + '\r\n';
      this.promptTokens = promptTokens(sanitizePrompt(String(promptText)).display);
      this.startLine('');
      this.replayTypeahead();
    });
  }

  feed(bytes: Uint8Array | string): EditorEffect[] {
    return this.run(() => this.consume(typeof bytes === 'string' ? encoder.encode(bytes) : bytes));
  }

  flushEscape(): EditorEffect[] {
    return this.run(() => {
      if (this.state !== 'idle') this.decoder.flushEscape((k) => this.onKey(k));
    });
  }

  /** Answer to a 'complete' effect; ignored if the line changed since the Tab. */
  completions(candidates: string[]): EditorEffect[] {
    return this.run(() => {
      const pending = this.pendingComplete;
      this.pendingComplete = null;
      if (this.state !== 'edit' || !pending || pending.text !== this.text || pending.cursor !== this.pos) return;
      const list = usableCandidates(Array.isArray(candidates) ? candidates : []);
      const { start, word } = completionWord(this.text, this.pos);
      const only = list[0];
      if (only === undefined) return this.bell();
      if (list.length === 1) return this.replace(start, this.pos, only.endsWith('/') ? only : `${only} `);
      const lcp = commonPrefix(list);
      if (lcp.length > word.length && lcp.startsWith(word)) return this.replace(start, this.pos, lcp);
      this.w += moveCursor(this.term, this.endCell()) + '\r\n' + formatListing(list, this.cols);
      this.term = { row: 0, col: 0 };
      this.redraw(true);
    });
  }

  resize(columns: number): EditorEffect[] {
    return this.run(() => {
      const c = clampColumns(columns, this.cols);
      if (c === this.cols) return;
      this.cols = c;
      if (this.state === 'idle') return;
      // Assume the terminal reflowed the region (most do): the cursor's row is its new-layout row.
      const row = new Layout(this.prefix, this.text, c).position(this.pos).row;
      this.w += (row > 0 ? `\x1b[${row}A` : '') + '\r';
      this.term = { row: 0, col: 0 };
      this.redraw(true);
    });
  }

  /**
   * Output that is not the editor's (a background job printing while the prompt is up): it goes
   * above the prompt, on lines of its own, and the prompt with the line and cursor as they were is
   * drawn again below it. Nothing of the buffer changes.
   */
  interject(output: string): EditorEffect[] {
    return this.run(() => {
      if (output.length === 0) return;
      if (this.state === 'idle' || !this.layout) {
        this.w += output;
        return;
      }
      this.w += moveCursor(this.term, { row: 0, col: 0 }) + '\x1b[J' + output + (output.endsWith('\n') ? '\r' : '\r\n');
      this.term = { row: 0, col: 0 };
      this.redraw(true);
    });
  }

  /** Put a line back for editing (after a deny); shows a fresh prompt if none is shown. */
  restore(text: string): EditorEffect[] {
    return this.run(() => {
      const clean = sanitizeLine(String(text));
      const t = this.clip(clean, this.maxLength);
      const wasIdle = this.state === 'idle';
      if (!wasIdle) {
        this.srch = null;
        this.state = 'edit';
        this.prefix = this.promptTokens;
        this.text = t;
        this.pos = t.length;
        this.nav = null;
        this.redraw(false);
        return;
      }
      this.startLine(t);
      this.replayTypeahead();
    });
  }

  /** Bytes received while no prompt was shown, for the session to hand to the running command. */
  takeTypeahead(): Uint8Array {
    const out = new Uint8Array(this.typeaheadBytes);
    let at = 0;
    for (const chunk of this.typeahead) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.typeahead = [];
    this.typeaheadBytes = 0;
    if (this.state === 'idle') this.decoder = new KeyDecoder();
    return out;
  }

  private run(body: () => void): EditorEffect[] {
    this.fx = [];
    this.w = '';
    try {
      body();
    } catch {
      // Fail closed: an internal fault must not leave screen and buffer out of step.
      this.errors += 1;
      this.recover();
    }
    this.flushWrite();
    return this.fx;
  }

  private recover(): void {
    this.w += '\r\n';
    this.decoder = new KeyDecoder();
    this.bell();
    if (this.state !== 'idle') this.startLine('');
  }

  private startLine(text: string): void {
    this.state = 'edit';
    this.srch = null;
    this.nav = null;
    this.pendingComplete = null;
    this.prefix = this.promptTokens;
    this.text = text;
    this.pos = text.length;
    this.w += PASTE_ON + '\r';
    this.term = { row: 0, col: 0 };
    this.redraw(true);
  }

  private consume(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      if (this.state === 'idle') return this.queue(data.subarray(off));
      const n = this.decoder.decode(data.subarray(off), (k) => this.onKey(k));
      if (n === 0) break;
      off += n;
    }
  }

  private queue(data: Uint8Array): void {
    const room = this.maxTypeahead - this.typeaheadBytes;
    if (room <= 0 || data.length === 0) return;
    const chunk = data.slice(0, room);
    this.typeahead.push(chunk);
    this.typeaheadBytes += chunk.length;
  }

  private replayTypeahead(): void {
    if (this.typeaheadBytes === 0) return;
    const q = this.takeTypeaheadKeepingDecoder();
    this.consume(q);
  }

  private takeTypeaheadKeepingDecoder(): Uint8Array {
    const dec = this.decoder;
    const q = this.takeTypeahead();
    this.decoder = dec;
    return q;
  }

  /** Handle one key; true stops decoding (the editor went idle). */
  private onKey(k: Key): boolean {
    if (this.state === 'search') this.searchKey(k);
    else if (this.state === 'edit') this.editKey(k);
    return this.state === 'idle';
  }

  protected override onComplete(): void {
    this.pendingComplete = { text: this.text, cursor: this.pos };
    this.effect({ type: 'complete', text: this.text, cursor: this.pos });
  }

  protected override onSubmit(): void {
    this.w += moveCursor(this.term, this.endCell()) + '\r\n' + PASTE_OFF;
    const text = this.text;
    this.hist.add(text);
    this.goIdle();
    this.effect({ type: 'submit', text });
  }

  protected override onInterrupt(): void {
    this.w += moveCursor(this.term, this.endCell()) + '^C\r\n';
    this.effect({ type: 'interrupt' });
    this.startLine('');
  }

  protected override onEof(): void {
    this.w += moveCursor(this.term, this.endCell()) + '\r\n' + PASTE_OFF;
    this.goIdle();
    this.effect({ type: 'eof' });
  }

  protected override onEdited(): void {
    this.pendingComplete = null;
  }

  private goIdle(): void {
    this.state = 'idle';
    this.layout = null;
    this.nav = null;
    this.srch = null;
    this.pendingComplete = null;
    this.text = '';
    this.pos = 0;
  }

  private endCell(): Pen {
    return this.layout ? normalize(this.layout.endPen, this.cols) : this.term;
  }
}

export type { PrefixToken };
