import type { SqlDialect } from './finding.js';

/** The token kinds the SQL judge needs: enough to split statements, find comments and executable
 * comments, and see meta-command starts; the real parsers do the grammar. */
export type TokenKind =
  | 'word'
  | 'ident'
  | 'string'
  | 'number'
  | 'op'
  | 'semi'
  | 'comment'
  | 'exec-open'
  | 'exec-close'
  | 'backslash';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  start: number;
  end: number;
  /** Decoded content: a string's value, an identifier without quotes, a comment's body. */
  value: string;
  /** An open quote or comment ran to the end of the input. */
  unterminated: boolean;
}

/** Lexical rules that differ between servers. Getting one wrong would make the judge read a
 * different statement than the server runs, so each is chosen per dialect. */
export interface LexRules {
  /** `\'` escapes inside '...' and "..." (MySQL, ClickHouse). */
  backslashEscapes: boolean;
  /** `#` starts a line comment (MySQL, ClickHouse). */
  hashComments: boolean;
  /** Block comments nest (Postgres). */
  nestedComments: boolean;
  /** `--` starts a comment only when followed by whitespace (MySQL). */
  dashDashNeedsSpace: boolean;
  backticks: boolean;
  brackets: boolean;
  dollarQuotes: boolean;
  /** `"..."` is a string, not an identifier (MySQL default sql_mode). */
  doubleQuoteStrings: boolean;
  /** `/*! ... *\/` and `/*!50000 ... *\/` run as SQL (MySQL, MariaDB `/*M! *\/`). */
  executableComments: boolean;
}

const PG: LexRules = {
  backslashEscapes: false,
  hashComments: false,
  nestedComments: true,
  dashDashNeedsSpace: false,
  backticks: false,
  brackets: false,
  dollarQuotes: true,
  doubleQuoteStrings: false,
  executableComments: false,
};

const MYSQL: LexRules = {
  backslashEscapes: true,
  hashComments: true,
  nestedComments: false,
  dashDashNeedsSpace: true,
  backticks: true,
  brackets: false,
  dollarQuotes: false,
  doubleQuoteStrings: true,
  executableComments: true,
};

const SQLITE: LexRules = {
  ...PG,
  nestedComments: false,
  dollarQuotes: false,
  backticks: true,
  brackets: true,
};

const CLICKHOUSE: LexRules = {
  ...PG,
  backslashEscapes: true,
  hashComments: true,
  backticks: true,
};

export function lexRules(dialect: SqlDialect | 'mysql-reading'): LexRules {
  switch (dialect) {
    case 'mysql':
    case 'mysql-reading':
      return MYSQL;
    case 'sqlite':
      return SQLITE;
    case 'clickhouse':
      return CLICKHOUSE;
    default:
      return PG;
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;

/** A resumable lexer: callers that handle client meta-commands move `pos` past them. */
export class Lexer {
  pos = 0;
  private inExec = false;

  /** Inside a MySQL `/*! ... *\/` executable comment. */
  get inExecutable(): boolean {
    return this.inExec;
  }

  constructor(
    readonly text: string,
    readonly rules: LexRules,
  ) {}

  next(): Token | null {
    const s = this.text;
    while (this.pos < s.length && /\s/.test(s[this.pos]!)) this.pos++;
    if (this.pos >= s.length) return null;
    const start = this.pos;
    const c = s[start]!;
    const c2 = s[start + 1];

    if (this.inExec && c === '*' && c2 === '/') {
      this.inExec = false;
      return this.emit('exec-close', start, start + 2, '');
    }
    if (c === '-' && c2 === '-') {
      const after = s[start + 2];
      if (!this.rules.dashDashNeedsSpace || after === undefined || /\s/.test(after)) return this.lineComment(start);
    }
    if (c === '#' && this.rules.hashComments) return this.lineComment(start);
    if (c === '/' && c2 === '*') return this.blockComment(start);
    if (c === "'") return this.quoted(start, start, "'", this.rules.backslashEscapes, 'string');
    if (c === '"')
      return this.quoted(start, start, '"', this.rules.doubleQuoteStrings && this.rules.backslashEscapes, this.rules.doubleQuoteStrings ? 'string' : 'ident');
    if (c === '`' && this.rules.backticks) return this.quoted(start, start, '`', false, 'ident');
    if (c === '[' && this.rules.brackets) {
      const end = s.indexOf(']', start + 1);
      const stop = end < 0 ? s.length : end + 1;
      return this.emit('ident', start, stop, s.slice(start + 1, end < 0 ? s.length : end), end < 0);
    }
    if (c === '$' && this.rules.dollarQuotes) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(start, start + 66));
      if (tag) return this.dollar(start, tag[0]);
    }
    if (WORD_START.test(c)) {
      let i = start + 1;
      while (i < s.length && WORD_PART.test(s[i]!)) i++;
      const word = s.slice(start, i);
      // E'...' strings take backslash escapes even where plain strings do not.
      if ((word === 'E' || word === 'e') && s[i] === "'" && !this.rules.backslashEscapes) {
        return this.quoted(start, i, "'", true, 'string');
      }
      return this.emit('word', start, i, word);
    }
    if (DIGIT.test(c) || (c === '.' && c2 !== undefined && DIGIT.test(c2))) {
      let i = start + 1;
      while (i < s.length && /[0-9.eE_xXa-fA-F]/.test(s[i]!)) i++;
      return this.emit('number', start, i, s.slice(start, i));
    }
    if (c === ';') return this.emit('semi', start, start + 1, ';');
    if (c === '\\') return this.emit('backslash', start, start + 1, '\\');
    return this.emit('op', start, start + 1, c);
  }

  private emit(kind: TokenKind, start: number, end: number, value: string, unterminated = false): Token {
    this.pos = end;
    return { kind, text: this.text.slice(start, end), start, end, value, unterminated };
  }

  private lineComment(start: number): Token {
    const nl = this.text.indexOf('\n', start);
    const end = nl < 0 ? this.text.length : nl;
    return this.emit('comment', start, end, this.text.slice(start, end));
  }

  private blockComment(start: number): Token {
    const s = this.text;
    if (this.rules.executableComments && !this.inExec) {
      const exec = /^\/\*(?:M?!)(\d{5,6})?/.exec(s.slice(start, start + 12));
      if (exec) {
        this.inExec = true;
        return this.emit('exec-open', start, start + exec[0].length, exec[0]);
      }
    }
    let depth = 1;
    let i = start + 2;
    while (i < s.length) {
      if (s[i] === '*' && s[i + 1] === '/') {
        depth--;
        i += 2;
        if (depth === 0 || !this.rules.nestedComments) {
          return this.emit('comment', start, i, s.slice(start + 2, i - 2));
        }
      } else if (this.rules.nestedComments && s[i] === '/' && s[i + 1] === '*') {
        depth++;
        i += 2;
      } else {
        i++;
      }
    }
    return this.emit('comment', start, s.length, s.slice(start + 2), true);
  }

  /** A quoted run from `open` (the quote char's index); doubled quotes always escape. */
  private quoted(start: number, open: number, q: string, backslash: boolean, kind: TokenKind): Token {
    const s = this.text;
    let i = open + 1;
    let value = '';
    while (i < s.length) {
      const ch = s[i]!;
      if (backslash && ch === '\\' && i + 1 < s.length) {
        value += s[i + 1];
        i += 2;
      } else if (ch === q) {
        if (s[i + 1] === q) {
          value += q;
          i += 2;
        } else {
          return this.emit(kind, start, i + 1, value);
        }
      } else {
        value += ch;
        i++;
      }
    }
    return this.emit(kind, start, s.length, value, true);
  }

  private dollar(start: number, tag: string): Token {
    const close = this.text.indexOf(tag, start + tag.length);
    if (close < 0) return this.emit('string', start, this.text.length, this.text.slice(start + tag.length), true);
    return this.emit('string', start, close + tag.length, this.text.slice(start + tag.length, close));
  }
}

export function tokenize(text: string, rules: LexRules): Token[] {
  const lx = new Lexer(text, rules);
  const out: Token[] = [];
  for (let t = lx.next(); t; t = lx.next()) out.push(t);
  return out;
}
