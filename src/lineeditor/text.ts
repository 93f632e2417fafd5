/**
 * What may live in the buffer and how wide it is on screen.
 *
 * The buffer is what the judge sees, so it only ever holds text a terminal shows as itself: no
 * C0/C1 controls or DEL (a terminal would act on them), no lone surrogates, and no invisible
 * format characters (bidi overrides and isolates, zero-width spaces, tag characters, BOM), which
 * would let the screen show something other than the bytes submitted. The zero-width joiner is
 * kept because emoji sequences need it. `\n` and `\t` are the only whitespace controls allowed.
 * Nor does it hold a combining mark (or joiner) with no character before it to attach to (at the
 * start, or after a newline or tab): terminals disagree on whether such a mark takes a cell, so
 * the screen could not be kept in step with the buffer.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Code points never stored in the buffer (\n and \t are handled by the callers). */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\uFFFE\uFFFF]|(?!\u200D)\p{Cf}/u;
const FORBIDDEN_GLOBAL = new RegExp(FORBIDDEN.source, 'gu');

export interface SanitizeOptions {
  /** Keep `\n` (pastes, restored lines, history). */
  readonly newlines: boolean;
  /** Keep `\t` (pastes only; a typed Tab asks for completion). */
  readonly tabs: boolean;
}

/** Drop every code point the buffer may not hold. Pure; never throws. */
export function sanitizeText(s: string, opts: SanitizeOptions): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\n') {
      if (opts.newlines) out += ch;
    } else if (ch === '\t') {
      if (opts.tabs) out += ch;
    } else if (!FORBIDDEN.test(ch)) {
      out += ch;
    }
  }
  return out;
}

/** What can follow `prev` only by attaching to it: combining marks, variation selectors, the joiner. */
const ATTACHING = /^[\p{M}\u200D]$/u;

/**
 * `s` without the combining marks (and joiners) that would start a grapheme cluster when it
 * follows `prev`, the character before it in the buffer ('' at the start). Text without them is
 * returned as is.
 */
export function dropLoneMarks(s: string, prev: string): string {
  let out = '';
  let last = prev;
  for (const ch of s) {
    if (ATTACHING.test(ch) && (last === '' || last === '\n' || last === '\t')) continue;
    out += ch;
    last = ch;
  }
  return out;
}

/** A whole line (restored, or kept in the history) as the buffer may hold it. */
export function sanitizeLine(s: string): string {
  return dropLoneMarks(sanitizeText(s, { newlines: true, tabs: true }), '');
}

/** True when `s` could be stored as is (used by tests and by candidate filtering). */
export function isPrintableText(s: string): boolean {
  FORBIDDEN_GLOBAL.lastIndex = 0;
  return !FORBIDDEN_GLOBAL.test(s.replace(/[\n\t]/g, ''));
}

/** Only single-unit clusters (printable ASCII, \t, \n): the common case, segmented for free. */
const SIMPLE = /^[\t\n\x20-\x7e]*$/;

/** Grapheme clusters of `s`, in order. */
export function graphemes(s: string): string[] {
  if (SIMPLE.test(s)) return s.split('');
  const out: string[] = [];
  for (const seg of segmenter.segment(s)) out.push(seg.segment);
  return out;
}

/** Start offsets (UTF-16) of the grapheme clusters of `s`, plus `s.length`. */
export function boundaries(s: string): number[] {
  if (SIMPLE.test(s)) return Array.from({ length: s.length + 1 }, (_, i) => i);
  const out: number[] = [];
  for (const seg of segmenter.segment(s)) out.push(seg.index);
  out.push(s.length);
  return out;
}

const widthCache = new Map<string, number>();

/** Display cells of one grapheme cluster (tabs are placed by the layout, not here). */
export function graphemeWidth(g: string): number {
  const c = g.charCodeAt(0);
  if (g.length === 1 && c >= 0x20 && c < 0x7f) return 1;
  let w = widthCache.get(g);
  if (w === undefined) {
    w = Math.min(2, stringWidth(g));
    if (widthCache.size > 4096) widthCache.clear();
    widthCache.set(g, w);
  }
  return w;
}

const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** Alt-B/F/D words: runs of letters, digits and underscore (readline's notion). */
export function isWordGrapheme(g: string): boolean {
  return WORD.test(g);
}

/** Ctrl-W words: runs of non-whitespace (readline's unix-word-rubout). */
export function isSpaceGrapheme(g: string): boolean {
  return g === ' ' || g === '\t' || g === '\n';
}

const SGR = /^\x1b\[[0-9;]*m/;

/**
 * A prompt as the terminal gets it and as it occupies cells. The session builds prompts from the
 * shell's cwd, which an attacker controls (a directory name can hold escape sequences), so only
 * SGR colour sequences survive; every other control or forbidden character is dropped, and the
 * colours are reset after the prompt so they cannot hide the typed text.
 */
export function sanitizePrompt(p: string): { display: string; visible: string } {
  let display = '';
  let visible = '';
  let coloured = false;
  for (let i = 0; i < p.length; ) {
    if (p[i] === '\x1b') {
      const m = SGR.exec(p.slice(i, i + 64));
      if (m) {
        display += m[0];
        coloured = true;
        i += m[0].length;
        continue;
      }
      i += 1;
      continue;
    }
    const cp = p.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (ch === '\n' || ch === '\t' || FORBIDDEN.test(ch)) continue;
    display += ch;
    visible += ch;
  }
  if (coloured) display += '\x1b[0m';
  return { display, visible };
}
