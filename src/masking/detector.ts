/**
 * The shape of a detector and the helpers that build one from a regular expression.
 *
 * A detector has several faces, because output arrives in chunks:
 *  - `find`: complete matches in the scanned text (with validation such as Luhn or entropy);
 *  - `partial`: a `$`-anchored expression that matches, at its leftmost start, any unfinished
 *    match that reaches the end of the text; the streaming masker holds back text from there.
 *    It must over-approximate (every prefix of every possible match, and every complete match
 *    that more text could extend); matching too much only delays output until the flush timer;
 *  - optionally `strong` (a partial distinctive enough to mask when a flush must release it) and
 *    `body` (the characters a released, masked partial may continue with), and `block` for
 *    matches whose end is far away (PEM blocks): everything from the start is masked until `end`.
 *
 * To keep the number of passes over each chunk down, a detector may name literal `anchors` or
 * case-insensitive keyword `stems` it always contains; its expression is then tried (sticky)
 * only next to them.
 *
 * Trust boundary: detectors run on untrusted output; every expression is linear or bounded
 * (no nested unbounded quantifiers), so no chunk can make matching slow. Known limits: nothing
 * checks mechanically that a `partial` over-approximates its `re`; an under-approximating one
 * would let a secret split at the wrong byte through. The every-offset split tests in
 * masker.test.ts and the split-invariance property are what check it, per sample.
 */

export interface Finding {
  /** Span of the whole pattern (used to decide what may be emitted yet). */
  readonly start: number;
  readonly end: number;
  /** Span to replace (e.g. only the value after `password=`). */
  readonly maskStart: number;
  readonly maskEnd: number;
  readonly id: string;
  /** Set for block starters: mask from maskStart until this expression matches. */
  readonly block?: BlockRule;
}

export type KeywordHits = ReadonlyMap<string, readonly number[]>;

/** Where the detectors' literals occur in the scanned text, found once for all of them. */
export interface Hits {
  /** Keyword stems, keyed by lower-case stem (see RegexRule.keywords). */
  readonly stems?: KeywordHits;
  /** Literal anchors (see RegexRule.anchors); without it, each detector searches for its own. */
  readonly anchors?: KeywordHits;
}

/** Where each stem occurs in `scan` (case-insensitive), with one pass of `union`. */
export function keywordHits(scan: string, union: RegExp): Map<string, number[]> {
  const hits = new Map<string, number[]>();
  union.lastIndex = 0;
  for (let m = union.exec(scan); m; m = union.exec(scan)) {
    const stem = m[0].toLowerCase();
    const list = hits.get(stem);
    if (list) list.push(m.index);
    else hits.set(stem, [m.index]);
    union.lastIndex = m.index + 1;
  }
  return hits;
}

export function unionOf(stems: Iterable<string>): RegExp {
  const list = [...new Set(stems)];
  return new RegExp(list.length > 0 ? list.map(escapeRe).join('|') : '(?!)', 'gi');
}

export interface BlockRule {
  /** Global expression whose first match ends the block (its end is the block's end). */
  readonly end: RegExp;
  /** Text characters after which an unterminated block gives up (fail-closed bound). */
  readonly cap: number;
}

export interface Detector {
  /** Policy vocabulary id (the value of `@mask("…")`). */
  readonly id: string;
  /** Rule name inside the id, for docs and tests. */
  readonly rule: string;
  /** Longest possible match in text characters: the look-back window for `partial`. */
  readonly maxLength: number;
  /**
   * Adds complete findings that start at or after `from`. `hits` gives where the keyword stems
   * and anchors occur in `scan`, found once for all detectors (literals.ts).
   */
  find(scan: string, from: number, out: Finding[], hits?: Hits): void;
  /**
   * Lower-case stems (matched case-insensitively) or literal anchors (matched exactly) that
   * every match of this detector contains. A detector with either finds nothing in text
   * without them, which lets the masker skip it there.
   */
  readonly stems?: readonly string[];
  readonly anchors?: readonly string[];
  /** Whether the pattern matches at `at` at all (before validation): a complete match there was
   * already masked or judged harmless, so a flush need not mask it as a partial. */
  matchesAt?(scan: string, at: number): boolean;
  readonly partial: RegExp;
  /** Membership table of the characters a partial consists of (see RegexRule.tail). */
  readonly tail?: Uint8Array;
  readonly strong?: RegExp;
  /** Zero-width global expression matching where a released partial's continuation ends. */
  readonly body?: RegExp;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

interface Trie {
  terminal: boolean;
  kids: Map<string, Trie>;
}

function trieSource(node: Trie, tail: string): string {
  const alts: string[] = [];
  if (node.terminal) alts.push(tail);
  for (const [ch, kid] of node.kids) alts.push(`${escapeRe(ch)}(?:${trieSource(kid, tail)})?`);
  return alts.length === 1 ? (alts[0] as string) : `(?:${alts.join('|')})`;
}

/**
 * Source of an expression matching any non-empty prefix of one of `literals`, or a whole literal
 * followed by `tail` (a source that may match empty). With flag `i`, give lower-case literals.
 */
export function openings(literals: readonly string[], tail: string): string {
  const root: Trie = { terminal: false, kids: new Map() };
  for (const lit of literals) {
    let node = root;
    for (const ch of lit) {
      let kid = node.kids.get(ch);
      if (!kid) {
        kid = { terminal: false, kids: new Map() };
        node.kids.set(ch, kid);
      }
      node = kid;
    }
    node.terminal = true;
  }
  const alts = [...root.kids].map(([ch, kid]) => `${escapeRe(ch)}(?:${trieSource(kid, tail)})?`);
  return `(?:${alts.join('|')})`;
}

export interface RegexRule {
  id: string;
  rule: string;
  /** Global; the masked group (if not 0) must be the last capture, followed by a fixed suffix at most. */
  re: RegExp;
  /** Capture group to mask (0 = whole match). */
  group?: number;
  validate?: (m: RegExpExecArray) => boolean;
  maxLength: number;
  partial: string;
  flags?: string;
  strong?: string;
  /** Character class source ending a released partial's continuation, e.g. `[^A-Za-z0-9]`. */
  stop?: string;
  /**
   * Literals every match contains, and how far before one a match may start (`back`): the
   * expression is then only tried, sticky, at those starts, which matters for expressions that
   * start with a character class (e-mail local parts, URL schemes).
   */
  anchors?: { literals: readonly string[]; back: number; run?: string };
  /**
   * Case-insensitive keyword stems every match contains (`pass` for password/passwd), and how
   * far before a stem a match may start. The masker finds all detectors' stems in one pass;
   * this expression is then tried, sticky, only near them. No stem may be a prefix of another.
   */
  keywords?: { stems: readonly string[]; back: number };
  /** Characters a partial match can consist of: its window starts at the trailing run of them. */
  tail?: string;
  block?: BlockRule;
}

/** A detector from one global expression; leftmost, non-overlapping matches from `from`. */
export function regexDetector(r: RegexRule): Detector {
  const group = r.group ?? 0;
  const flags = r.flags ?? '';
  const partial = new RegExp(`${r.partial}$`, flags);
  // No `d` flag: match indices cost an allocation per match. The masked group is the last
  // capture and only a fixed suffix (`@`, `"`) or a look-ahead follows it, so its place is the
  // last occurrence of its text in the match.
  const re = new RegExp(r.re.source, r.re.flags.replace('d', ''));
  const sticky = new RegExp(r.re.source, `${r.re.flags.replace('g', '').replace('d', '')}y`);
  const runTable = r.anchors?.run ? classTable(r.anchors.run) : undefined;
  const ownUnion = unionOf(r.keywords?.stems ?? []);
  return {
    id: r.id,
    rule: r.rule,
    maxLength: r.maxLength,
    partial,
    ...(r.strong ? { strong: new RegExp(`^(?:${r.strong})`, flags) } : {}),
    ...(r.stop ? { body: new RegExp(`(?=${r.stop})`, 'g') } : {}),
    matchesAt(scan, at) {
      sticky.lastIndex = at;
      return sticky.test(scan);
    },
    ...(r.tail ? { tail: classTable(r.tail) } : {}),
    ...(r.keywords ? { stems: r.keywords.stems } : r.anchors ? { anchors: r.anchors.literals } : {}),
    find(scan, from, out, hits) {
      if (r.keywords) findNearKeywords(scan, from, r.keywords, hits?.stems ?? keywordHits(scan, ownUnion), out);
      else if (r.anchors) findAnchored(scan, from, r.anchors, out, hits?.anchors);
      else findIn(scan, from, out);
    },
  };

  function findNearKeywords(scan: string, from: number, kw: NonNullable<RegexRule['keywords']>, hits: KeywordHits, out: Finding[]): void {
    const at = kw.stems.flatMap((stem) => hits.get(stem) ?? []);
    if (at.length === 0) return;
    at.sort((a, b) => a - b);
    let done = from;
    for (const a of at) {
      const f = firstFrom(scan, Math.max(done, a - kw.back), a);
      if (f) {
        out.push(f);
        done = f.end;
      }
    }
  }

  function finding(m: RegExpExecArray): Finding | undefined {
    if (r.validate && !r.validate(m)) return undefined;
    const value = m[group];
    if (value === undefined) return undefined;
    const maskStart = m.index + (group === 0 ? 0 : m[0].lastIndexOf(value));
    const f: Finding = { start: m.index, end: m.index + m[0].length, maskStart, maskEnd: maskStart + value.length, id: r.id };
    return r.block ? { ...f, block: r.block } : f;
  }

  /** The first finding of a sticky attempt at a start in [lo, hi]. */
  function firstFrom(scan: string, lo: number, hi: number): Finding | undefined {
    for (let p = lo; p <= hi; p++) {
      sticky.lastIndex = p;
      const m = sticky.exec(scan);
      const f = m ? finding(m) : undefined;
      if (f) return f;
    }
    return undefined;
  }

  function findIn(scan: string, from: number, out: Finding[]): void {
    re.lastIndex = from;
    for (let m = re.exec(scan); m; m = re.exec(scan)) {
      if (m[0].length === 0) re.lastIndex++;
      const f = finding(m);
      if (f) out.push(f);
      else re.lastIndex = m.index + 1;
    }
  }

  /** Sticky attempts only at the few starts an anchor allows: work bounded by anchors × back. */
  function findAnchored(scan: string, from: number, anchors: NonNullable<RegexRule['anchors']>, out: Finding[], known?: KeywordHits): void {
    const at: number[] = [];
    for (const lit of anchors.literals) {
      if (known) {
        for (const i of known.get(lit) ?? []) if (i >= from) at.push(i);
      } else {
        for (let i = scan.indexOf(lit, from); i >= 0; i = scan.indexOf(lit, i + 1)) at.push(i);
      }
    }
    if (at.length === 0) return;
    at.sort((a, b) => a - b);
    let done = from;
    for (const a of at) {
      // With a run class the match can only start where the run of such characters ending at
      // the anchor starts (its look-behind forbids anything else): one attempt, not `back`.
      const lo = runTable ? runStart(scan, a, runTable, a - anchors.back - 1) : Math.max(done, a - anchors.back);
      if (lo < a - anchors.back || lo < done) continue;
      const f = firstFrom(scan, lo, runTable ? lo : a);
      if (f) {
        out.push(f);
        done = f.end;
      }
    }
  }
}

/** A 128-entry membership table for a character class source such as `A-Za-z0-9_-`. */
export function classTable(cls: string): Uint8Array {
  const re = new RegExp(`[${cls}]`);
  const t = new Uint8Array(129);
  for (let c = 0; c < 128; c++) t[c] = re.test(String.fromCharCode(c)) ? 1 : 0;
  t[128] = re.test('\u00e9') ? 1 : 0; // stands for every non-ASCII character
  return t;
}

/** Start of the run of `table` characters ending at `end` (not looking below `floor`). */
function runStart(scan: string, end: number, table: Uint8Array, floor: number): number {
  let i = end;
  while (i > floor && i > 0) {
    const c = scan.charCodeAt(i - 1);
    if (table[c < 128 ? c : 128] !== 1) break;
    i--;
  }
  return i;
}

/** Start of the trailing run of characters in `table` among the first `length` ones. */
export function trailingRun(length: number, charAt: (i: number) => number, table: Uint8Array, floor: number): number {
  let i = length;
  while (i > floor) {
    const c = charAt(i - 1);
    if (table[c < 128 ? c : 128] !== 1) break;
    i--;
  }
  return i;
}
