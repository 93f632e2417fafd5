/**
 * Where every grapheme of the prompt region sits on screen, and the bytes that draw it.
 *
 * The model is a terminal with autowrap: a cell-width w > 0 character that does not fit in the
 * current row goes to the start of the next one (wide characters included, leaving the last
 * cell blank), zero-width clusters attach to the previous cell, a row filled exactly leaves the
 * cursor "pending" at the right margin until the next character. Logical lines (split at \n) each
 * start on a fresh row with their prefix: the prompt for the first, "> " for the others. Tabs are
 * drawn as spaces up to the next multiple of 8 within the row.
 */
import { graphemeWidth, graphemes } from './text.js';

export interface Pen {
  readonly row: number;
  /** May equal `columns`: the row is full and the terminal is waiting to wrap. */
  readonly col: number;
}

/** One piece of a prefix: `raw` is written as is; `g` (if any) is the grapheme it shows. */
export interface PrefixToken {
  readonly raw: string;
  readonly g: string | null;
}

interface Item {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly width: number;
  readonly newline: boolean;
  /** Pen before the item (raw, possibly pending). */
  readonly pen: Pen;
  /** Cell where the item is drawn (after any wrap). */
  readonly row: number;
  readonly col: number;
}

interface Line {
  readonly start: number;
  readonly row: number;
  readonly prefix: readonly PrefixToken[];
}

export const CONTINUATION: readonly PrefixToken[] = [
  { raw: '>', g: '>' },
  { raw: ' ', g: ' ' },
];

export function promptTokens(display: string): PrefixToken[] {
  const out: PrefixToken[] = [];
  const re = /\x1b\[[0-9;]*m/y;
  let i = 0;
  let plain = '';
  const flush = (): void => {
    for (const g of graphemes(plain)) out.push({ raw: g, g });
    plain = '';
  };
  while (i < display.length) {
    re.lastIndex = i;
    const m = re.exec(display);
    if (m) {
      flush();
      out.push({ raw: m[0], g: null });
      i += m[0].length;
    } else {
      plain += display[i];
      i += 1;
    }
  }
  flush();
  return out;
}

export function normalize(p: Pen, columns: number): Pen {
  return p.col >= columns ? { row: p.row + 1, col: 0 } : p;
}

/** Relative cursor motion between two non-pending cells. */
export function moveCursor(from: Pen, to: Pen): string {
  let s = '';
  if (to.row < from.row) s += `\x1b[${from.row - to.row}A`;
  else if (to.row > from.row) s += `\x1b[${to.row - from.row}B`;
  if (to.col === 0 && from.col !== 0) s += '\r';
  else if (to.col < from.col) s += `\x1b[${from.col - to.col}D`;
  else if (to.col > from.col) s += `\x1b[${to.col - from.col}C`;
  return s;
}

export class Layout {
  readonly columns: number;
  readonly text: string;
  private readonly items: Item[] = [];
  private readonly lines: Line[] = [];
  /** item index by buffer offset (-1 inside a cluster). */
  private readonly itemAt: Int32Array;
  readonly endPen: Pen;

  constructor(prompt: readonly PrefixToken[], text: string, columns: number) {
    this.columns = columns;
    this.text = text;
    this.itemAt = new Int32Array(text.length + 1).fill(-1);
    let pen = this.placePrefix(prompt, { row: 0, col: 0 });
    this.lines.push({ start: 0, row: 0, prefix: prompt });
    let offset = 0;
    for (const g of graphemes(text)) {
      const start = offset;
      offset += g.length;
      this.itemAt[start] = this.items.length;
      if (g === '\n') {
        this.items.push({ start, end: offset, text: g, width: 0, newline: true, pen, row: pen.row, col: pen.col });
        const row = pen.row + 1;
        this.lines.push({ start: offset, row, prefix: CONTINUATION });
        pen = this.placePrefix(CONTINUATION, { row, col: 0 });
        continue;
      }
      let at = pen;
      let width = g === '\t' ? 1 : graphemeWidth(g);
      if (width > 0 && at.col + width > columns) at = { row: at.row + 1, col: 0 };
      if (g === '\t') width = Math.min(8 - (at.col % 8), columns - at.col);
      this.items.push({ start, end: offset, text: g, width, newline: false, pen, row: at.row, col: at.col });
      pen = { row: at.row, col: at.col + width };
    }
    this.itemAt[text.length] = this.items.length;
    this.endPen = pen;
  }

  private placePrefix(tokens: readonly PrefixToken[], from: Pen): Pen {
    let pen = from;
    for (const t of tokens) {
      if (t.g === null) continue;
      const w = graphemeWidth(t.g);
      if (w > 0 && pen.col + w > this.columns) pen = { row: pen.row + 1, col: 0 };
      pen = { row: pen.row, col: pen.col + w };
    }
    return pen;
  }

  private item(index: number): Item | undefined {
    const i = this.itemAt[index] ?? -1;
    return i >= 0 ? this.items[i] : undefined;
  }

  /** Where the terminal cursor shows for buffer offset `index`. */
  position(index: number): Pen {
    if (index > 0 && index < this.text.length && (this.itemAt[index] ?? -1) < 0) {
      // Inside a cluster (typed text joined the one after it): show the cursor after it.
      const inner = this.items[this.itemIndexAt(index)];
      if (inner) return normalize({ row: inner.row, col: inner.col + inner.width }, this.columns);
    }
    const it = this.item(index);
    if (!it) return normalize(this.endPen, this.columns);
    if (it.width > 0) return { row: it.row, col: it.col };
    return normalize(it.pen, this.columns);
  }

  /** Rows the region occupies, counting the row a pending end pen wraps to. */
  get height(): number {
    return normalize(this.endPen, this.columns).row + 1;
  }

  /** Index of the logical line holding offset `index`. */
  lineOf(index: number): number {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lines[mid]?.start ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Bytes that redraw everything from buffer offset `from` (a boundary whose graphemes before it
   * are unchanged on screen) to the end, clearing what lies below (unless the caller knows it
   * is blank: a pure append). Returns the output, the cell
   * the terminal must be at before it, and where the terminal cursor is after it.
   */
  drawFrom(from: number, clearBelow = true): { start: Pen; out: string; end: Pen } {
    let idx = this.itemIndexAt(Math.max(0, Math.min(from, this.text.length)));
    // Never start at a pending pen (no cursor motion reaches it): back up to a safe start.
    for (;;) {
      const it = this.items[idx];
      const offset = it ? it.start : this.text.length;
      const line = this.lines[this.lineOf(offset)];
      if (!line || offset === line.start) {
        return this.emit({ row: line?.row ?? 0, col: 0 }, line?.prefix ?? [], idx, clearBelow);
      }
      const pen = it ? it.pen : this.endPen;
      if (pen.col < this.columns) return this.emit(pen, [], idx, clearBelow);
      idx -= 1;
    }
  }

  /** Start of the cluster that ends exactly at `offset`, or -1 if none does. */
  clusterEndingAt(offset: number): number {
    if (offset <= 0 || offset > this.text.length) return -1;
    if (offset < this.text.length && (this.itemAt[offset] ?? -1) < 0) return -1;
    return this.items[this.itemIndexAt(offset - 1)]?.start ?? -1;
  }

  /** Start of the cluster `back` clusters before the one holding offset-1 (0 at the start). */
  clusterBefore(offset: number, back: number): number {
    if (offset <= 0) return 0;
    const idx = Math.max(0, this.itemIndexAt(Math.min(offset, this.text.length) - 1) - back);
    return this.items[idx]?.start ?? 0;
  }

  /** Item index of the grapheme starting at or before `offset` (items.length at the end). */
  private itemIndexAt(offset: number): number {
    let o = offset;
    while (o > 0 && (this.itemAt[o] ?? -1) < 0) o -= 1;
    const i = this.itemAt[o] ?? -1;
    return i >= 0 ? i : this.items.length;
  }

  private emit(
    start: Pen,
    prefix: readonly PrefixToken[],
    fromItem: number,
    clearBelow: boolean,
  ): { start: Pen; out: string; end: Pen } {
    const cols = this.columns;
    let out = '';
    let row = start.row;
    let col = start.col;
    const put = (raw: string, w: number): void => {
      if (w > 0) {
        if (col >= cols) {
          row += 1;
          col = 0;
        } else if (col + w > cols) {
          out += '\x1b[K'; // wide char wraps, clear the cell it skips
          row += 1;
          col = 0;
        }
      }
      out += raw;
      col += w;
    };
    for (const t of prefix) put(t.raw, t.g === null ? 0 : graphemeWidth(t.g));
    for (let i = fromItem; i < this.items.length; i++) {
      const it = this.items[i];
      if (!it) break;
      if (it.newline) {
        out += col >= cols ? '\r\n' : '\x1b[K\r\n';
        row += 1;
        col = 0;
        for (const t of CONTINUATION) put(t.raw, 1);
      } else if (it.text === '\t') {
        if (col >= cols) {
          row += 1;
          col = 0;
        }
        out += ' '.repeat(it.width);
        col += it.width;
      } else {
        put(it.text, it.width);
      }
    }
    if (col >= cols) {
      // Force the wrap now so the cursor has a real cell; ECH keeps the row's wrapped flag.
      out += ' \x1b[J\r\x1b[X';
      row += 1;
      col = 0;
    } else if (clearBelow) {
      out += '\x1b[J';
    }
    return { start, out, end: { row, col } };
  }
}
