/**
 * The text a detector sees: session output bytes with terminal escape sequences removed (read
 * as latin1, one character per byte), plus a segment map back to byte offsets. Escapes are kept
 * in the output; only the text characters of a match are replaced, so a colour code inside a
 * token cannot hide it.
 *
 * Trust boundary: bytes are untrusted shell output. Everything is bounded: CSI sequences end after
 * 256 bytes, string sequences (OSC, DCS, APC, PM, SOS) after 4096 bytes, and whatever follows the
 * cut is scanned as text. Known limits: the payload of OSC/DCS sequences (window titles, OSC 8
 * hyperlinks, OSC 52 clipboard) is not scanned; 8-bit C1 controls are treated as text because in
 * UTF-8 output those bytes are continuation bytes.
 */

const ESC = 0x1b;
const MAX_CSI = 256;
const MAX_STRING = 4096;

export interface TextView {
  /** Text bytes (one latin1 character each), escapes removed; the input itself when it has none. */
  readonly text: Buffer;
  /** Flattened triples (textStart, byteStart, length), ascending. */
  readonly segs: readonly number[];
  /** Byte offset of an incomplete escape sequence at the end, or the byte length when none. */
  readonly end: number;
}

/** Index just after the escape sequence starting at `j`, or -1 when it may continue in later bytes. */
export function escapeEnd(b: Uint8Array, j: number): number {
  const n = b.length;
  if (j + 1 >= n) return -1;
  const c = b[j + 1] as number;
  if (c === 0x5b) {
    for (let k = j + 2; k < n; k++) {
      const x = b[k] as number;
      if (x >= 0x40 && x <= 0x7e) return k + 1;
      if (x < 0x20 || x > 0x3f || k - j >= MAX_CSI) return k; // malformed: the sequence stops here
    }
    return -1;
  }
  if (c === 0x5d || c === 0x50 || c === 0x5f || c === 0x5e || c === 0x58) {
    for (let k = j + 2; k < n; k++) {
      const x = b[k] as number;
      if (x === 0x07 || x === 0x18 || x === 0x1a) return k + 1;
      if (x === ESC) {
        if (k + 1 >= n) return -1;
        return b[k + 1] === 0x5c ? k + 2 : k;
      }
      if (k - j >= MAX_STRING) return k;
    }
    return -1;
  }
  let k = j + 1;
  while (k < n && (b[k] as number) >= 0x20 && (b[k] as number) <= 0x2f) k++;
  if (k >= n) return -1;
  return k + 1;
}

export function viewOf(bytes: Buffer): TextView {
  const n = bytes.length;
  let j = bytes.indexOf(ESC);
  if (j < 0) return { text: bytes, segs: [0, 0, n], end: n };
  // Copied segment by segment into one buffer: no object per segment (colour-heavy output has
  // a segment every few bytes).
  const text = Buffer.allocUnsafe(n);
  const segs: number[] = [];
  let t = 0;
  let i = 0;
  let end = n;
  for (;;) {
    if (j < 0) j = n;
    if (j > i) {
      // Buffer.copy costs more than a short loop for the few bytes between colour codes.
      if (j - i > 64) bytes.copy(text, t, i, j);
      else for (let x = i, y = t; x < j; x++, y++) text[y] = bytes[x] as number;
      segs.push(t, i, j - i);
      t += j - i;
    }
    if (j >= n) break;
    const k = escapeEnd(bytes, j);
    if (k < 0) {
      end = j;
      break;
    }
    i = k;
    j = bytes.indexOf(ESC, i);
  }
  return { text: text.subarray(0, t), segs, end };
}

/** Byte offset of text index `t` (t may equal the text length: the end of the last segment). */
export function byteOf(view: TextView, t: number): number {
  const s = view.segs;
  let lo = 0;
  let hi = s.length / 3 - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((s[mid * 3] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  const ts = s[lo * 3] as number;
  return (s[lo * 3 + 1] as number) + Math.min(t - ts, s[lo * 3 + 2] as number);
}

/** Calls `fn(byteStart, byteEnd)` for each run of text bytes in text range [a, b). */
export function forEachTextRun(view: TextView, a: number, b: number, fn: (from: number, to: number) => void): void {
  const s = view.segs;
  for (let k = 0; k < s.length; k += 3) {
    const ts = s[k] as number;
    const len = s[k + 2] as number;
    if (ts + len <= a) continue;
    if (ts >= b) break;
    const from = Math.max(a, ts);
    const to = Math.min(b, ts + len);
    const bs = s[k + 1] as number;
    fn(bs + (from - ts), bs + (to - ts));
  }
}
