/**
 * Tab completion helpers: which word the candidates replace, and how a candidate list is shown.
 * Candidates come from the filesystem (file names can hold anything), so a candidate that is not
 * plain printable text is never inserted or shown.
 */
import { graphemeWidth, graphemes, isPrintableText } from './text.js';

/** Characters that end a completion word (a subset of bash's COMP_WORDBREAKS). */
const BREAKS = new Set([' ', '\t', '\n', '"', "'", '`', '<', '>', '=', ';', '|', '&', '(', ')']);

/** The word ending at `cursor` that a completion replaces: text[start, cursor). */
export function completionWord(text: string, cursor: number): { start: number; word: string } {
  let start = cursor;
  while (start > 0 && !BREAKS.has(text[start - 1] ?? ' ')) start -= 1;
  return { start, word: text.slice(start, cursor) };
}

/** Unique candidates that are safe to insert, in the order given. */
export function usableCandidates(candidates: readonly unknown[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of candidates) {
    if (typeof c !== 'string' || c === '' || /[\n\t]/.test(c) || !isPrintableText(c)) continue;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(c);
  }
  return out;
}

export function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let p = graphemes(words[0] ?? '');
  for (const w of words.slice(1)) {
    const g = graphemes(w);
    let i = 0;
    while (i < p.length && i < g.length && p[i] === g[i]) i++;
    p = p.slice(0, i);
  }
  return p.join('');
}

function width(s: string): number {
  let w = 0;
  for (const g of graphemes(s)) w += graphemeWidth(g);
  return w;
}

export const MAX_LISTED = 200;

/** Candidates in columns (row-major, like `ls -x`), each row ending with \r\n. */
export function formatListing(candidates: readonly string[], columns: number): string {
  const shown = candidates.slice(0, MAX_LISTED);
  const cellW = Math.max(1, ...shown.map(width)) + 2;
  const perRow = Math.max(1, Math.floor(columns / cellW));
  let out = '';
  for (let i = 0; i < shown.length; i += perRow) {
    const row = shown.slice(i, i + perRow);
    out += row
      .map((c, j) => (j === row.length - 1 ? c : c + ' '.repeat(Math.max(1, cellW - width(c)))))
      .join('');
    out += '\x1b[K\r\n';
  }
  if (candidates.length > shown.length) out += `(${candidates.length - shown.length} more)\x1b[K\r\n`;
  return out;
}
