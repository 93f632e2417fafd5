/**
 * The streaming transform: session output in, output safe to show and record out.
 *
 * Each push scans `ctx + text`, where text is the held bytes plus the new chunk with escapes
 * removed (textview.ts) and ctx is the last CTX characters already emitted (so look-behinds and
 * a match whose start was released by a flush still see their context). It then
 *  1. masks complete findings; a block starter (a PEM BEGIN line) masks everything up to its END
 *     line, however many chunks later, bounded by the rule's cap;
 *  2. holds back text from the leftmost place where some detector's `partial` says a match may
 *     still be under way (and from the start of any finding that straddles that place);
 *  3. emits the rest at once. Text that cannot start a match is never held.
 * flush() releases what is held; a held partial that is already distinctive (`strong`: `ghp_x…`,
 * `eyJ…`, `password=x…`) is released masked, and its continuation stays masked (as a block that
 * ends at the first character the secret cannot contain).
 *
 * Trust boundary: bytes are untrusted shell output; the output goes to the client and the
 * recording. Never throws: an internal fault releases the held bytes fully masked (fail closed),
 * counts a fault and starts afresh. Known limits: see index.ts and docs/masking.md.
 */
import type { Detector, Finding, Hits } from './detector.js';
import { keywordHits, trailingRun, unionOf } from './detector.js';
import { LiteralFinder, type Literal, type LiteralHits } from './literals.js';
import type { TextView } from './textview.js';
import { byteOf, forEachTextRun, viewOf } from './textview.js';

const ESC = 0x1b;

/** Characters of already emitted text kept for look-behind and for matches a flush split. */
export const CTX = 256;
/** How far back an END line may have started in text already emitted. */
const END_LOOKBACK = 96;

export interface Replacement {
  /** Terminal mode: one printable ASCII character per masked character (default `*`). */
  readonly fill?: string;
  /** Other modes: the text standing for a masked match (default `[masked:ID]`). */
  readonly tag?: (id: string) => string;
}

export interface MaskerStats {
  /** Masked findings per detector id. */
  readonly masked: Readonly<Record<string, number>>;
  /** Internal faults; each one released its held bytes fully masked. */
  readonly faults: number;
}

export interface Masker {
  /** Feeds output; returns what is safe to emit now (may share memory with `chunk`). */
  push(chunk: Uint8Array): Uint8Array;
  /**
   * push() that hands what is safe to emit to `emit` in one or two pieces (the bytes it held, then
   * a view of `chunk`), sparing a copy of the chunk when output holds no literal; the pieces may
   * share memory with `chunk`.
   */
  write(chunk: Uint8Array, emit: (bytes: Uint8Array) => void): void;
  /** Releases everything held (call ~30 ms after the last push, and at the end). */
  flush(): Uint8Array;
  /** Bytes held back. */
  readonly held: number;
  readonly stats: MaskerStats;
}

interface Block {
  readonly id: string;
  readonly end: RegExp;
  /** Scan index where masking starts and where the END search starts. */
  start: number;
  from: number;
  capLeft: number;
  tagged: boolean;
}

interface Range {
  s: number;
  e: number;
  id: string;
  /** Continuation of something already announced: no tag in tag mode. */
  cont: boolean;
}

const EMPTY = new Uint8Array(0);

/** The loaded text's length and what the finder found in it (undefined: too dense to list). */
interface Scanned {
  readonly length: number;
  readonly literals: LiteralHits | undefined;
}

/**
 * One finder per literal set, shared by every masker of the process: a finder only holds what
 * one synchronous process() call loads and reads back, so sessions need not each keep a kernel
 * and its memory (about the size of a chunk, three times over).
 */
const finders = new Map<string, LiteralFinder>();
function finderFor(literals: readonly Literal[]): LiteralFinder {
  const key = JSON.stringify(literals);
  let f = finders.get(key);
  if (f === undefined) {
    f = new LiteralFinder(literals);
    finders.set(key, f);
  }
  return f;
}
const EMPTY_BUF = Buffer.alloc(0);

export function createMaskerWith(detectors: readonly Detector[], terminal: boolean, replacement: Replacement = {}): Masker {
  if (detectors.length === 0) {
    // Nothing to find: a plain pass-through, so "masking off" costs nothing.
    return { push: (chunk) => chunk, write: (chunk, emit) => chunk.length > 0 && emit(chunk), flush: () => EMPTY, held: 0, stats: { masked: {}, faults: 0 } };
  }
  const fillCode = replacement.fill && /^[!-~]$/.test(replacement.fill) ? replacement.fill.charCodeAt(0) : 42;
  const tagOf = replacement.tag ?? ((id: string) => `[masked:${id}]`);
  const union = unionOf(detectors.flatMap((d) => d.stems ?? []));
  const keyworded = detectors.some((d) => d.stems);
  // Holds the scanned text (ctx + new text) and finds every stem and anchor in it in one pass.
  const finder = finderFor([
    ...detectors.flatMap((d) => d.stems ?? []).map((text) => ({ text, folded: true })),
    ...detectors.flatMap((d) => d.anchors ?? []).map((text) => ({ text, folded: false })),
  ]);
  // When every detector needs a literal, text without any literal holds no finding: only its
  // tail is examined (for matches under way), and no string of the whole text is made.
  const gated = detectors.every((d) => (d.stems?.length ?? 0) > 0 || (d.anchors?.length ?? 0) > 0);
  const charAt = (i: number): number => finder.at(i);
  let pending: Buffer = Buffer.alloc(0);
  let escCarry: Buffer = EMPTY_BUF;
  let ctx = '';
  let block: Block | null = null;
  let faults = 0;
  const masked: Record<string, number> = {};

  function count(id: string): void {
    masked[id] = (masked[id] ?? 0) + 1;
  }

  /** Masks the block from `pos`; returns where normal scanning resumes (scan.length if open). */
  function runBlock(b: Block, scan: string, base: number, ranges: Range[]): number {
    b.end.lastIndex = Math.max(b.from, 0);
    const m = b.end.exec(scan);
    const e = m ? m.index + m[0].length : scan.length;
    const s = Math.max(b.start, base);
    if (e > s) {
      ranges.push({ s, e, id: b.id, cont: b.tagged || b.start < base });
      b.tagged = true;
    }
    if (m) {
      block = null;
      return e;
    }
    b.capLeft -= scan.length - s;
    if (b.capLeft <= 0) block = null; // fail-closed bound reached: see docs/masking.md
    return scan.length;
  }

  /** Where `d` may have a match under way that reaches the end of the loaded text; -1 if nowhere. */
  function partialAt(d: Detector, pos: number, length: number): number {
    let w = Math.max(pos, length - d.maxLength);
    if (d.tail) w = Math.max(w, trailingRun(length, charAt, d.tail, w) - 1);
    const m = d.partial.exec(finder.text(w));
    return m ? w + m.index : -1;
  }

  /** The leftmost place any detector's match may be under way; `length` if none. */
  function partialStart(pos: number, length: number): number {
    let hold = length;
    for (const d of detectors) {
      const c = partialAt(d, pos, length);
      if (c >= 0 && c < hold) hold = c;
    }
    return hold;
  }

  /**
   * write() for the common case of bulk output: no block open, no escape sequence in the held
   * bytes or the chunk (so text and bytes coincide) and no literal in the scanned text, hence
   * nothing to mask and only the tail to hold. Returns what to emit as views of the held bytes
   * and of `add`, without joining them. Otherwise nothing is changed and the general path must
   * run; if the text was already loaded and searched (it holds a literal), that search is
   * returned for it to reuse: the held bytes joined with `add` are the same text.
   */
  function quiet(add: Buffer): { readonly out: Buffer[] } | { readonly scanned: Scanned } | undefined {
    if (!gated || block !== null || escCarry.length > 0 || add.indexOf(ESC) >= 0 || pending.indexOf(ESC) >= 0) return undefined;
    const base = ctx.length;
    const length = finder.load(Buffer.from(ctx, 'latin1'), pending, add);
    const literals = finder.find();
    if (literals === undefined || literals.anchors.size > 0 || literals.stems.size > 0) return { scanned: { length, literals } };
    const hold = Math.max(base, partialStart(0, length));
    const t = hold - base;
    const held = pending;
    const split = Math.min(t, held.length);
    const out = [held.subarray(0, split), add.subarray(0, Math.max(0, t - held.length))];
    const nextCtx = finder.text(Math.max(0, hold - CTX), hold);
    const nextPending = split < held.length ? Buffer.concat([held.subarray(split), add]) : Buffer.from(add.subarray(t - held.length));
    ctx = nextCtx;
    pending = nextPending;
    return { out };
  }

  /** `scanned`: quiet() already loaded `ctx + pending` into the finder and searched it. */
  function process(final: boolean, scanned?: Scanned): Uint8Array {
    // Bytes of an unfinished escape sequence a flush already released: parsed again with what
    // follows (so the terminal's view of the sequence and ours agree), never emitted twice.
    const skip = escCarry.length;
    if (skip > 0) {
      pending = Buffer.concat([escCarry, pending]);
      escCarry = EMPTY_BUF;
    }
    const view = viewOf(pending);
    const base = ctx.length;
    const length = scanned?.length ?? finder.load(Buffer.from(ctx, 'latin1'), view.text);
    const textLength = length - base;
    const literals = scanned === undefined ? finder.find() : scanned.literals;
    const quiet = gated && !final && block === null && literals !== undefined && literals.anchors.size === 0 && literals.stems.size === 0;
    const scan = quiet ? '' : finder.text(0, length);
    // The kernel's search gives up on text denser in literals than it has room for: then the
    // detectors search as they would alone.
    const hits: Hits = literals ?? (keyworded ? { stems: keywordHits(scan, union) } : {});
    const ranges: Range[] = [];
    const findings: Finding[] = [];
    let pos = 0;
    for (;;) {
      if (quiet) break;
      if (block) {
        pos = runBlock(block, scan, base, ranges);
        if (block) break;
      }
      const found: Finding[] = [];
      for (const d of detectors) d.find(scan, pos, found, hits);
      let first: Finding | undefined;
      for (const f of found) if (f.block && f.maskEnd > base && (!first || f.maskStart < first.maskStart)) first = f;
      for (const f of found) {
        if (first && f.start >= first.maskStart) continue;
        if (f.maskEnd <= base) continue; // entirely in emitted context: handled before
        findings.push(f);
      }
      if (!first?.block) break;
      count(first.id);
      block = { id: first.id, end: first.block.end, start: first.maskStart, from: first.end, capLeft: first.block.cap, tagged: false };
      pos = first.maskStart;
    }
    let hold = length;
    if (!block && !final) hold = Math.min(hold, partialStart(pos, length));
    else if (!block) {
      for (const d of detectors) {
        const c = partialAt(d, pos, length);
        if (c < 0) continue;
        if (d.strong?.test(scan.slice(c)) && d.body && length > Math.max(c, base) && !d.matchesAt?.(scan, c)) {
          // Released masked; whatever continues the secret in later output stays masked.
          findings.push({ start: c, end: length, maskStart: c, maskEnd: length, id: d.id });
          block = { id: d.id, end: d.body, start: length, from: length, capLeft: d.maxLength, tagged: true };
        }
      }
    }
    for (let moved = true; moved; ) {
      moved = false;
      for (const f of findings) {
        if (f.start < hold && f.end > hold && hold > base) {
          hold = Math.max(base, f.start);
          moved = true;
        }
      }
    }
    hold = Math.max(hold, base);
    for (const f of findings) {
      const s = Math.max(f.maskStart, base);
      const e = Math.min(f.maskEnd, hold);
      if (e <= s) continue;
      ranges.push({ s, e, id: f.id, cont: f.maskStart < base });
      if (f.maskStart >= base) count(f.id);
    }
    const t = hold - base;
    const byteEnd = final ? pending.length : t >= textLength ? view.end : byteOf(view, t);
    const out = emit(view, pending, byteEnd, ranges, base, t).subarray(skip);
    if (final && view.end < pending.length) escCarry = Buffer.from(pending.subarray(view.end));
    const dropped = Math.max(0, hold - CTX);
    ctx = finder.text(dropped, hold);
    if (block) {
      block.start = Math.max(0, block.start - dropped);
      block.from = Math.max(block.start, block.from - dropped, ctx.length - END_LOOKBACK);
    }
    if (byteEnd < skip) {
      // The released sequence is still unfinished (nothing else could be emitted): keep it aside.
      escCarry = Buffer.from(pending.subarray(0, skip));
      pending = Buffer.from(pending.subarray(skip));
    } else {
      pending = byteEnd >= pending.length ? Buffer.alloc(0) : Buffer.from(pending.subarray(byteEnd));
    }
    return out;
  }

  function emit(view: TextView, bytes: Buffer, byteEnd: number, ranges: Range[], base: number, limit: number): Uint8Array {
    if (byteEnd === 0) return EMPTY;
    const live = ranges
      .map((r) => ({ ...r, s: r.s - base, e: Math.min(r.e - base, limit) }))
      .filter((r) => r.e > r.s)
      .sort((a, b) => a.s - b.s);
    if (live.length === 0) return bytes.subarray(0, byteEnd);
    if (terminal) {
      const out = Buffer.from(bytes.subarray(0, byteEnd));
      for (const r of live) {
        forEachTextRun(view, r.s, r.e, (from, to) => {
          for (let i = from; i < to; i++) {
            const c = out[i] as number;
            if (c > 0x20 && c < 0x7f) out[i] = fillCode;
          }
        });
      }
      return out;
    }
    const parts: Buffer[] = [];
    let cursor = 0;
    let lastEnd = -1;
    for (const r of live) {
      const s = Math.max(r.s, lastEnd);
      if (s >= r.e) continue;
      const bs = byteOf(view, s);
      if (bs > cursor) parts.push(bytes.subarray(cursor, bs));
      if (!r.cont && s === r.s) parts.push(Buffer.from(tagOf(r.id), 'utf8'));
      // Keep the escapes inside the masked text (colour state stays right), drop its text bytes.
      let k = bs;
      forEachTextRun(view, s, r.e, (from, to) => {
        if (from > k) parts.push(bytes.subarray(k, from));
        k = to;
      });
      cursor = Math.max(cursor, k);
      lastEnd = r.e;
    }
    if (byteEnd > cursor) parts.push(bytes.subarray(cursor, byteEnd));
    return Buffer.concat(parts);
  }

  /** Fail closed: every held byte that could be secret text is masked or dropped. */
  function failClosed(): Uint8Array {
    faults++;
    const held = pending;
    pending = Buffer.alloc(0);
    escCarry = EMPTY_BUF;
    ctx = '';
    block = null;
    if (!terminal) return held.length === 0 ? EMPTY : Buffer.from(tagOf('error'), 'utf8');
    const out = Buffer.alloc(held.length);
    let n = 0;
    for (const c of held) {
      if (c === 0x1b) continue;
      out[n++] = c > 0x20 && c < 0x7f ? fillCode : c;
    }
    return out.subarray(0, n);
  }

  function write(chunk: Uint8Array, emit: (bytes: Uint8Array) => void): void {
    if (chunk.length === 0) return;
    const add = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let out: Uint8Array[];
    let joined = false;
    try {
      const q = quiet(add);
      if (q !== undefined && 'out' in q) {
        out = q.out;
      } else {
        pending = pending.length === 0 ? add : Buffer.concat([pending, add]);
        joined = true;
        out = [process(false, q?.scanned)];
      }
    } catch {
      // quiet() changes no state until it has computed everything: the chunk is then not yet
      // among the held bytes, and failClosed() must cover it too.
      if (!joined) pending = Buffer.concat([pending, add]);
      out = [failClosed()];
    }
    for (const p of out) if (p.length > 0) emit(p);
  }

  return {
    push(chunk: Uint8Array): Uint8Array {
      const parts: Uint8Array[] = [];
      write(chunk, (p) => parts.push(p));
      return parts.length === 0 ? EMPTY : parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
    },
    write,
    flush(): Uint8Array {
      try {
        return pending.length === 0 ? EMPTY : process(true);
      } catch {
        return failClosed();
      }
    },
    get held() {
      return pending.length;
    },
    get stats() {
      return { masked: { ...masked }, faults };
    },
  };
}
