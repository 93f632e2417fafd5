import type { LexRules, Token } from './lexer.js';
import { tokenize } from './lexer.js';

/** One statement as the server would receive it. */
export interface SqlStatement {
  /** Text for the parsers: comments and executable-comment markers blanked (their content kept),
   * so every parser reads the same code the server runs. */
  text: string;
  /** Code tokens, without comments and executable-comment markers. */
  tokens: Token[];
  /** Bodies of ordinary (non-executable) comments, to spot a comment that hides a clause. */
  comments: string[];
  /** Part of the code came from a MySQL `/*! ... *\/` executable comment. */
  executable: boolean;
  /** An open quote or comment ran to the end: the server would wait for more input or fail. */
  unterminated: boolean;
}

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

function build(source: string, toks: Token[]): SqlStatement | null {
  const code = toks.filter((t) => t.kind !== 'comment' && t.kind !== 'exec-open' && t.kind !== 'exec-close');
  if (code.length === 0) return null;
  let text = '';
  let at = toks[0]!.start;
  for (const t of toks) {
    text += source.slice(at, t.start);
    text += t.kind === 'comment' || t.kind === 'exec-open' || t.kind === 'exec-close' ? blank(t.text) : t.text;
    at = t.end;
  }
  return {
    text: text.trim(),
    tokens: code,
    comments: toks.filter((t) => t.kind === 'comment').map((t) => t.value),
    executable: toks.some((t) => t.kind === 'exec-open'),
    unterminated: toks.some((t) => t.unterminated),
  };
}

/** Splits SQL into statements at top-level semicolons (outside quotes, comments and parentheses,
 * as psql does). */
export function splitStatements(text: string, rules: LexRules): SqlStatement[] {
  const out: SqlStatement[] = [];
  let cur: Token[] = [];
  let depth = 0;
  for (const t of tokenize(text, rules)) {
    if (t.kind === 'op' && t.value === '(') depth++;
    else if (t.kind === 'op' && t.value === ')') depth = Math.max(0, depth - 1);
    if (t.kind === 'semi' && depth === 0) {
      const st = build(text, cur);
      if (st) out.push(st);
      cur = [];
      continue;
    }
    cur.push(t);
  }
  const last = build(text, cur);
  if (last) out.push(last);
  return out;
}

/** The whole input as one piece, cleaned like a statement (for a parse of the whole text when
 * per-statement parsing failed, e.g. a function body with `;` inside BEGIN ATOMIC). */
export function wholeText(text: string, rules: LexRules): SqlStatement | null {
  return build(text, tokenize(text, rules));
}
