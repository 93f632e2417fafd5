/**
 * Output bytes to the body of a JSON string, without going through a JS string. For valid UTF-8
 * (nearly all terminal output) JSON.stringify(decode(bytes)) only changes control bytes, '"' and
 * '\\': non-ASCII characters pass as their own UTF-8 bytes and no lone surrogate can arise. So we
 * copy bytes and escape those few, scanning four bytes at a time; that is several times cheaper
 * than decode + JSON.stringify + re-encode, the dominant cost of recording a busy session.
 * Invalid UTF-8 takes the slow path, which yields exactly what the decoder would (U+FFFD).
 */
import { isUtf8 } from 'node:buffer';

/** 1 for bytes that JSON must escape inside a string. */
const NEEDS = new Uint8Array(256);
/** The escape JSON.stringify writes for each of those bytes. */
const ESCAPES: Uint8Array[] = [];
const SHORT: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };
for (let c = 0; c < 256; c += 1) {
  const needs = c < 0x20 || c === 0x22 || c === 0x5c;
  NEEDS[c] = needs ? 1 : 0;
  ESCAPES.push(Buffer.from(needs ? (SHORT[c] ?? `\\u${c.toString(16).padStart(4, '0')}`) : '', 'latin1'));
}

/** Invalid input shorter than this is decoded as a whole rather than split further. */
const SLOW_PIECE = 64;

/** Worst-case growth: a control byte becomes six (\u001b); an invalid byte three (U+FFFD). */
export const ESCAPE_FACTOR = 6;

const replacing = new TextDecoder('utf-8');
/** Words are read and written back in the platform's byte order, whichever it is. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Length of the longest prefix that ends on a character boundary: a trailing multi-byte sequence
 * that is still incomplete (at most 3 bytes) is left for the next chunk, as a streaming decoder
 * would keep it. Cutting there never changes the decoded text of the whole stream.
 */
export function completePrefixLength(b: Uint8Array): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back += 1) {
    const c = b[n - back] as number;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Writes the escaped JSON string body of `src` (UTF-8 bytes) at `out[at]`; returns the end. */
export function escapeInto(src: Uint8Array, out: Uint8Array, at: number): number {
  if (!isUtf8(src)) {
    // One bad byte must not send a whole 256 KiB batch down the slow path: halve around it
    // (isUtf8 is SIMD, so re-checking halves is cheap) and decode only small invalid pieces.
    const mid = src.length > SLOW_PIECE ? splitPoint(src) : 0;
    if (mid > 0) return escapeInto(src.subarray(mid), out, escapeInto(src.subarray(0, mid), out, at));
    const body = JSON.stringify(replacing.decode(src)).slice(1, -1);
    return at + Buffer.from(out.buffer, out.byteOffset, out.length).write(body, at, 'utf8');
  }
  const n = src.length;
  let o = at;
  let i = 0;
  const head = Math.min(n, (4 - (src.byteOffset & 3)) & 3);
  for (; i < head; i += 1) o = put(src[i] as number, out, o);
  const words = (n - i) >>> 2;
  const w32 = new Uint32Array(src.buffer, src.byteOffset + i, words);
  // Clean words go out as one unaligned 32-bit store (escapes shift the output off alignment);
  // V8 compiles DataView stores to plain moves, which halves the cost of byte-by-byte copying.
  const dv = new DataView(out.buffer, out.byteOffset, out.length);
  for (let k = 0; k < words; k += 1, i += 4) {
    const w = w32[k] as number;
    // SWAR: a byte < 0x20, or equal to 0x22 or 0x5c, sets its high bit in `hit` (the classic
    // "has less than" / "has zero byte" tests); exact for "any such byte in the word".
    const q = w ^ 0x22222222;
    const s = w ^ 0x5c5c5c5c;
    const hit = ((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s);
    if ((hit & 0x80808080) === 0) {
      dv.setUint32(o, w, LITTLE_ENDIAN);
      o += 4;
    } else {
      o = put(src[i] as number, out, o);
      o = put(src[i + 1] as number, out, o);
      o = put(src[i + 2] as number, out, o);
      o = put(src[i + 3] as number, out, o);
    }
  }
  for (; i < n; i += 1) o = put(src[i] as number, out, o);
  return o;
}

/**
 * A cut near the middle, before a byte that is not a continuation byte: the decoder then reads
 * both sides exactly as it reads the whole (a sequence left incomplete on the left would also be
 * cut short by that byte), so the pieces decode to the same text. 0 if there is no such cut.
 */
function splitPoint(b: Uint8Array): number {
  for (let p = b.length >>> 1; p < b.length; p += 1) if (((b[p] as number) & 0xc0) !== 0x80) return p;
  return 0;
}

function put(c: number, out: Uint8Array, o: number): number {
  if (NEEDS[c] === 0) {
    out[o] = c;
    return o + 1;
  }
  const e = ESCAPES[c] as Uint8Array;
  for (let k = 0; k < e.length; k += 1) out[o + k] = e[k] as number;
  return o + e.length;
}
