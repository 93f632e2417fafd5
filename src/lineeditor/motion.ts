/**
 * Cursor motions and kill ranges over grapheme clusters, as pure functions of (text, cursor).
 * Offsets are UTF-16 indices that always fall on cluster boundaries.
 */
import { boundaries, isSpaceGrapheme, isWordGrapheme } from './text.js';

export interface Span {
  readonly from: number;
  readonly to: number;
}

function clusterIndex(b: readonly number[], pos: number): number {
  let lo = 0;
  let hi = b.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((b[mid] ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The smallest boundary >= pos (edits can merge clusters around the cursor). */
export function snapForward(text: string, pos: number): number {
  const b = boundaries(text);
  for (const x of b) if (x >= pos) return x;
  return text.length;
}

export function prevBoundary(text: string, pos: number): number {
  const b = boundaries(text);
  const i = clusterIndex(b, pos);
  return (b[i] ?? 0) < pos ? (b[i] ?? 0) : (b[Math.max(0, i - 1)] ?? 0);
}

export function nextBoundary(text: string, pos: number): number {
  const b = boundaries(text);
  const i = clusterIndex(b, pos);
  return b[Math.min(b.length - 1, i + 1)] ?? text.length;
}

export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

export function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i < 0 ? text.length : i;
}

/** Clusters of text with their start offsets. */
function clusters(text: string): { g: string; at: number }[] {
  const b = boundaries(text);
  const out: { g: string; at: number }[] = [];
  for (let i = 0; i + 1 < b.length; i++) {
    const at = b[i] ?? 0;
    out.push({ g: text.slice(at, b[i + 1]), at });
  }
  return out;
}

function backOver(text: string, pos: number, skip: (g: string) => boolean, take: (g: string) => boolean): number {
  const cs = clusters(text);
  let i = cs.findIndex((c) => c.at >= pos);
  if (i < 0) i = cs.length;
  while (i > 0 && skip(cs[i - 1]?.g ?? '')) i -= 1;
  while (i > 0 && take(cs[i - 1]?.g ?? '')) i -= 1;
  return i < cs.length ? (cs[i]?.at ?? text.length) : text.length;
}

function forwardOver(text: string, pos: number, skip: (g: string) => boolean, take: (g: string) => boolean): number {
  const cs = clusters(text);
  let i = cs.findIndex((c) => c.at >= pos);
  if (i < 0) return text.length;
  while (i < cs.length && skip(cs[i]?.g ?? '')) i += 1;
  while (i < cs.length && take(cs[i]?.g ?? '')) i += 1;
  return i < cs.length ? (cs[i]?.at ?? text.length) : text.length;
}

const notWord = (g: string): boolean => !isWordGrapheme(g);
const notSpace = (g: string): boolean => !isSpaceGrapheme(g);

/** Alt-B: to the start of the previous alphanumeric word. */
export function wordLeft(text: string, pos: number): number {
  return backOver(text, pos, notWord, isWordGrapheme);
}

/** Alt-F: to the end of the next alphanumeric word. */
export function wordRight(text: string, pos: number): number {
  return forwardOver(text, pos, notWord, isWordGrapheme);
}

/** Ctrl-W: back over whitespace, then over non-whitespace. */
export function unixWordLeft(text: string, pos: number): number {
  return backOver(text, pos, isSpaceGrapheme, notSpace);
}

/** Display width of text[from, to) ignoring wrap (for ↑/↓ between logical lines). */
export function columnOf(text: string, from: number, to: number, width: (g: string) => number): number {
  let w = 0;
  for (const c of clusters(text.slice(from, to))) w += width(c.g);
  return w;
}

/** The boundary in line [from, to) whose column is the largest not above `col`. */
export function offsetAtColumn(text: string, from: number, to: number, col: number, width: (g: string) => number): number {
  let w = 0;
  for (const c of clusters(text.slice(from, to))) {
    const cw = width(c.g);
    if (w + cw > col) return from + c.at;
    w += cw;
  }
  return to;
}
