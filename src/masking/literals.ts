/**
 * The masker's prefilter: every occurrence of the detectors' literal anchors (exact) and keyword
 * stems (ASCII case-insensitive) in the scanned text, found in one pass by a WebAssembly SIMD
 * kernel (literals.wat) at a fraction of a nanosecond per byte. Before it, a dozen indexOf scans
 * and a case-insensitive alternation did this at about 2.5 ns a byte, most of the masker's cost.
 * Output without any literal then needs no regular expression at all but the hold-back check on
 * its tail (masker.ts).
 *
 * The text lives in the kernel's memory: load() copies the bytes to scan (latin1 text, one byte
 * per character, as the detectors see it), text() makes strings of parts of it on demand.
 *
 * Trust boundary: scanned bytes are untrusted output; the kernel only reads inside the loaded
 * range (plus fixed slack) and writes at most `cap` hits, which load() sized. Known limits: at
 * most 8 × 31 literals of at most 255 bytes and 2 KiB in all (the shipped detectors use 28).
 */
import { Kernel, compileKernel, type KernelMemory } from '../core/index.js';
import { LITERALS_WASM } from './literals-wasm.js';

export interface Literal {
  readonly text: string;
  /** Matched ASCII case-insensitively (keyword stems); `text` is then lower case. */
  readonly folded: boolean;
}

export interface LiteralHits {
  /** Positions of each exact literal, ascending. */
  readonly anchors: ReadonlyMap<string, readonly number[]>;
  /** Positions of each folded literal, keyed by its lower-case text, ascending. */
  readonly stems: ReadonlyMap<string, readonly number[]>;
}

interface FindExports {
  memory: KernelMemory;
  find(inPtr: number, n: number, hitsPtr: number, cap: number): number;
}
const kernel = compileKernel(LITERALS_WASM);

const BUCKETS = 8;
const PER_BUCKET = 31;
const BUCKET_LISTS = 128;
const FOLD = 512;
const RECORDS = 1024;
const RECORD_BYTES = 16;
const LITERAL_BYTES = 3072;
const LITERAL_SPACE = 2048;
const INPUT = 8192;
/** Readable bytes the kernel may look at past the input. */
const SLACK = 32;

export class LiteralFinder {
  readonly #k = new Kernel<FindExports>(kernel);
  readonly #literals: readonly Literal[];
  #n = 0;

  constructor(literals: readonly Literal[]) {
    const normal = literals.map((l) => (l.folded ? { text: foldAscii(l.text), folded: true } : l));
    const unique = [...new Map(normal.map((l) => [`${l.folded ? 'i' : 's'}:${l.text}`, l])).values()];
    if (unique.length > BUCKETS * PER_BUCKET) throw new Error(`too many literals (${unique.length})`);
    this.#literals = unique;
    this.#layout(unique);
  }

  /** Copies `parts` (concatenated) in as the text to scan; returns its length. */
  load(...parts: readonly Uint8Array[]): number {
    let n = 0;
    for (const p of parts) n += p.length;
    this.#k.reserve(INPUT + n + SLACK + 8 * capFor(n));
    const mem = this.#k.mem;
    let at = INPUT;
    for (const p of parts) {
      mem.set(p, at);
      at += p.length;
    }
    mem.fill(0, at, at + SLACK);
    this.#n = n;
    return n;
  }

  /**
   * Where each literal occurs in the loaded text; undefined for text so dense with literals
   * (more than one per four bytes) that the caller's own search should take over.
   */
  find(): LiteralHits | undefined {
    const anchors = new Map<string, number[]>();
    const stems = new Map<string, number[]>();
    if (this.#literals.length === 0) return { anchors, stems };
    const hitsAt = align8(INPUT + this.#n + SLACK);
    const count = this.#k.exports.find(INPUT, this.#n, hitsAt, capFor(this.#n));
    if (count < 0) return undefined;
    const mem = this.#k.mem;
    for (let h = 0; h < count; h += 1) {
      const pos = mem.readUInt32LE(hitsAt + h * 8);
      const lit = this.#literals[mem.readUInt32LE(hitsAt + h * 8 + 4)] as Literal;
      const map = lit.folded ? stems : anchors;
      const list = map.get(lit.text);
      if (list) list.push(pos);
      else map.set(lit.text, [pos]);
    }
    return { anchors, stems };
  }

  /** Length of the loaded text. */
  get length(): number {
    return this.#n;
  }

  /** The loaded text from `from` to `to`, as a latin1 string. */
  text(from: number, to = this.#n): string {
    return this.#k.mem.toString('latin1', INPUT + from, INPUT + Math.max(from, to));
  }

  /** Character code (byte) at `i` of the loaded text. */
  at(i: number): number {
    return this.#k.mem[INPUT + i] as number;
  }

  #layout(literals: readonly Literal[]): void {
    const mem = this.#k.mem;
    mem.fill(0, 0, INPUT);
    mem.fill(0xff, BUCKET_LISTS, BUCKET_LISTS + BUCKETS * 32);
    for (let c = 0; c < 256; c += 1) mem[FOLD + c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    // Greedy bucketing: each literal (the least selective first) goes where it widens its
    // bucket's fingerprint least, measured as the share of random bytes the bucket lets through.
    const groups: { l: Literal; id: number; sets: number[][] }[][] = Array.from({ length: BUCKETS }, () => []);
    const order = literals.map((l, id) => ({ l, id, sets: fingerprintSets(l) })).sort((a, b) => a.l.text.length - b.l.text.length);
    for (const x of order) {
      let best = 0;
      let bestCost = Infinity;
      groups.forEach((g, k) => {
        if (g.length >= PER_BUCKET) return;
        const cost = passRate([...g, x]) - passRate(g);
        if (cost < bestCost) {
          bestCost = cost;
          best = k;
        }
      });
      groups[best]?.push(x);
    }
    let offset = 0;
    groups.forEach((group, k) => {
      if (group.length > PER_BUCKET) throw new Error(`too many literals in one bucket (${group.length})`);
      group.forEach((x, slot) => {
        const bytes = Buffer.from(x.l.text, 'latin1');
        if (bytes.length === 0 || bytes.length > 255 || /[^\0-\xff]/.test(x.l.text)) throw new Error(`unusable literal ${JSON.stringify(x.l.text)}`);
        if (offset + bytes.length > LITERAL_SPACE) throw new Error('literals exceed their space');
        mem[BUCKET_LISTS + k * 32 + slot] = x.id;
        const rec = RECORDS + x.id * RECORD_BYTES;
        mem.writeUInt16LE(offset, rec);
        mem[rec + 2] = bytes.length;
        mem[rec + 3] = x.l.folded ? 1 : 0;
        // The word test on the first four bytes (little-endian, as wasm loads them).
        for (let j = 0; j < 4 && j < bytes.length; j += 1) {
          const c = bytes[j] as number;
          if (x.l.folded && isLetter(c)) mem[rec + 4 + j] = 0x20;
          mem[rec + 8 + j] = 0xff;
          mem[rec + 12 + j] = c;
        }
        bytes.copy(mem, LITERAL_BYTES + offset);
        offset += bytes.length;
        x.sets.forEach((set, j) => {
          for (const b of set) {
            mem[j * 32 + (b & 15)] = (mem[j * 32 + (b & 15)] as number) | (1 << k);
            mem[j * 32 + 16 + (b >> 4)] = (mem[j * 32 + 16 + (b >> 4)] as number) | (1 << k);
          }
        });
      });
    });
  }
}

/** The bytes each of the fingerprint's four positions may hold for `l` (all, past its end). */
function fingerprintSets(l: Literal): number[][] {
  return [0, 1, 2, 3].map((j) => {
    const c = l.text.charCodeAt(j);
    if (Number.isNaN(c)) return range(256);
    return l.folded && isLetter(c) ? [c & ~0x20, c | 0x20] : [c];
  });
}

/** Share of uniformly random 4-byte strings a bucket's nibble tables let through. */
function passRate(group: readonly { sets: number[][] }[]): number {
  if (group.length === 0) return 0;
  let rate = 1;
  for (let j = 0; j < 4; j += 1) {
    const lo = new Set<number>();
    const hi = new Set<number>();
    for (const x of group) {
      for (const b of x.sets[j] ?? []) {
        lo.add(b & 15);
        hi.add(b >> 4);
      }
    }
    rate *= (lo.size * hi.size) / 256;
  }
  return rate;
}

/** Hits the kernel may write for `n` bytes of text. */
function capFor(n: number): number {
  // Real output has far fewer; the cap keeps the hit buffer (8 bytes a hit) at twice the text.
  return (n >> 2) + 64;
}

function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function isLetter(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
