/**
 * Test harness: a real terminal emulator (@xterm/headless) fed with the editor's writes, and an
 * oracle that says what the prompt region must look like. The oracle is independent of the
 * editor's own layout code: it places code points one by one the way an autowrapping terminal
 * does, using the same per-code-point wcwidth the emulator is configured with.
 */
import xterm from '@xterm/headless';
import { eastAsianWidth } from 'get-east-asian-width';
import { LineEditor } from './editor.js';
import type { EditorEffect, EditorOptions } from './effects.js';
import { graphemeWidth } from './text.js';

const { Terminal } = xterm;
type Term = InstanceType<typeof Terminal>;

const ZERO = /[\p{Mn}\p{Me}\p{Cf}]/u;

/** wcwidth for the emulator and the oracle (Unicode 15 East Asian Width, combining marks 0). */
export function wcwidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  const ch = String.fromCodePoint(cp);
  if (ZERO.test(ch) || (cp >= 0x1160 && cp <= 0x11ff)) return 0;
  return eastAsianWidth(cp) === 2 ? 2 : 1;
}

function charProperties(cp: number, preceding: number): number {
  // Same packing as xterm's built-in provider: (state << 3) | (width << 1) | shouldJoin.
  let width: number = wcwidth(cp);
  let join = width === 0 && preceding !== 0;
  if (join) {
    const old = (preceding >> 1) & 3;
    if (old === 0) join = false;
    else if (old > width) width = old;
  }
  return ((width & 3) << 1) | (join ? 1 : 0);
}

export interface Rig {
  readonly term: Term;
  readonly editor: LineEditor;
  readonly effects: EditorEffect[];
  readonly submits: string[];
  /** Apply effects to the terminal (and record them). */
  apply(fx: EditorEffect[]): Promise<void>;
  feed(bytes: Uint8Array | string): Promise<EditorEffect[]>;
  resize(columns: number): Promise<void>;
}

export const PROMPT = '§me@box:~$ ';

export async function makeRig(
  opts: Partial<EditorOptions> & { columns: number },
  rows = 24,
  reflow = true,
): Promise<Rig> {
  const term = new Terminal({
    cols: opts.columns,
    rows,
    scrollback: 5000,
    allowProposedApi: true,
    reflowCursorLine: reflow,
  });
  term.unicode.register({ version: 'test', wcwidth, charProperties });
  term.unicode.activeVersion = 'test';
  const editor = new LineEditor({ isComplete: () => true, ...opts });
  const effects: EditorEffect[] = [];
  const submits: string[] = [];
  const write = (s: string): Promise<void> => new Promise((r) => term.write(s, r));
  const rig: Rig = {
    term,
    editor,
    effects,
    submits,
    async apply(fx) {
      for (const e of fx) {
        effects.push(e);
        if (e.type === 'write') await write(e.data);
        if (e.type === 'submit') submits.push(e.text);
      }
    },
    async feed(bytes) {
      const fx = editor.feed(bytes);
      await rig.apply(fx);
      return fx;
    },
    async resize(columns) {
      term.resize(Math.max(2, columns), rows);
      await rig.apply(editor.resize(columns));
    },
  };
  await rig.apply(editor.prompt(PROMPT));
  return rig;
}

/** Cells of one screen row: the grapheme text of each cell, '' for blank, wide tails dropped. */
export function rowCells(term: Term, y: number): string[] {
  const line = term.buffer.active.getLine(y);
  const out: string[] = [];
  if (!line) return out;
  for (let x = 0; x < term.cols; x++) {
    const c = line.getCell(x);
    if (!c) break;
    if (c.getWidth() === 0) continue;
    out.push(c.getChars());
  }
  return out;
}

export function rowText(term: Term, y: number): string {
  return rowCells(term, y)
    .map((c) => (c === '' ? ' ' : c))
    .join('');
}

interface Expected {
  rows: string[][];
  cursor: { row: number; col: number };
}

/** Where an autowrapping terminal puts prefix+line for each logical line, and the cursor. */
export function expectScreen(firstPrefix: string, text: string, cursor: number, cols: number): Expected {
  const rows: string[][] = [];
  let r = 0;
  let c = 0;
  let last: { r: number; i: number } | null = null;
  let cur: { row: number; col: number } | null = null;
  const cell = (rr: number): string[] => (rows[rr] ??= []);
  const put = (ch: string): void => {
    const w = ch === '\t' ? 1 : wcwidth(ch.codePointAt(0) ?? 0);
    if (w === 0) {
      if (last) cell(last.r)[last.i] += ch;
      return;
    }
    if (c + w > cols) {
      r += 1;
      c = 0;
    }
    if (ch === '\t') {
      const n = Math.min(8 - (c % 8), cols - c);
      for (let k = 0; k < n; k++) cell(r)[c + k] = ' ';
      last = { r, i: c + n - 1 };
      c += n;
      return;
    }
    cell(r)[c] = ch;
    const rowCellsOut = cell(r);
    last = { r, i: c };
    c += w;
    void rowCellsOut;
  };
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((line, li) => {
    if (li > 0) {
      r += 1;
      c = 0;
      last = null;
    }
    cell(r);
    for (const ch of li === 0 ? firstPrefix : '> ') put(ch);
    for (const ch of line) {
      if (cur === null && offset === cursor) {
        const w = ch === '\t' ? 1 : wcwidth(ch.codePointAt(0) ?? 0);
        if (w > 0) cur = c + w > cols ? { row: r + 1, col: 0 } : { row: r, col: c };
        else cur = c >= cols ? { row: r + 1, col: 0 } : { row: r, col: c };
      }
      put(ch);
      offset += ch.length;
    }
    if (cur === null && offset === cursor) cur = c >= cols ? { row: r + 1, col: 0 } : { row: r, col: c };
    offset += 1; // the \n
  });
  // Convert sparse rows (wide tails are not cells in rowCells) to dense cell lists.
  const dense = rows.map((row) => {
    const out: string[] = [];
    for (let x = 0; x < cols; x++) {
      if (x > 0 && row[x] === undefined && row[x - 1] !== undefined && isWide(row[x - 1] ?? '')) continue;
      out.push(row[x] ?? '');
    }
    return out;
  });
  return { rows: dense, cursor: cur ?? { row: r, col: c } };
}

function isWide(cellText: string): boolean {
  return cellText !== '' && wcwidth(cellText.codePointAt(0) ?? 0) === 2;
}

/** First-line prefix the oracle expects for the editor's current mode. */
export function expectedPrefix(editor: LineEditor, prompt = PROMPT): string {
  const s = editor.search;
  if (!s) return prompt;
  return `${s.failed ? '(failed reverse-i-search)`' : '(reverse-i-search)`'}${s.query}': `;
}

/**
 * Compare the screen with the oracle. Returns null when it matches, else a description. The
 * region starts at the nearest row at or above the cursor that begins with the prefix.
 */
export function checkScreen(rig: Rig, prompt = PROMPT): string | null {
  const { term, editor } = rig;
  if (editor.mode === 'idle') return null;
  const b = term.buffer.active;
  const cursorAbs = b.baseY + b.cursorY;
  if (b.cursorX >= term.cols) return `cursor left pending at column ${b.cursorX}`;
  const prefix = expectedPrefix(editor, prompt);
  const exp = expectScreen(prefix, editor.buffer, editor.cursor, term.cols);
  const first = (exp.rows[0] ?? []).join('\u0000');
  let start = -1;
  for (let y = cursorAbs; y >= 0; y--) {
    if (rowCells(term, y).join('\u0000') === first) {
      start = y;
      break;
    }
  }
  if (start < 0) return `no prompt row found above cursor row ${cursorAbs}`;
  for (let i = 0; i < b.length - start; i++) {
    const actual = rowCells(term, start + i);
    const want = exp.rows[i] ?? new Array<string>(actual.length).fill('');
    if (actual.length !== want.length || actual.some((a, k) => a !== want[k])) {
      return `row ${i}: screen ${JSON.stringify(rowText(term, start + i))} expected ${JSON.stringify(want.map((x) => x || ' ').join(''))}`;
    }
  }
  const cur = { row: cursorAbs - start, col: b.cursorX };
  if (cur.row !== exp.cursor.row || cur.col !== exp.cursor.col) {
    return `cursor at ${cur.row}:${cur.col}, expected ${exp.cursor.row}:${exp.cursor.col}`;
  }
  return null;
}

/**
 * True when the emulator lays every cluster out exactly as the editor does: the editor's width
 * (string-width per cluster) equals the first code point's wcwidth and the rest are zero-width,
 * so the terminal cannot wrap inside a cluster.
 */
export function widthsAgree(text: string): boolean {
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if (segment === '\n' || segment === '\t') continue;
    const cps = [...segment].map((ch) => wcwidth(ch.codePointAt(0) ?? 0));
    if (cps.slice(1).some((w) => w !== 0)) return false;
    if ((cps[0] ?? 0) !== graphemeWidth(segment)) return false;
  }
  return true;
}
