/**
 * Output bytes to a JSON line (`prefix` + escaped bytes + `suffix`) without going through a JS
 * string. For valid UTF-8 (nearly all terminal output) JSON.stringify(decode(bytes)) only changes
 * control bytes, '"' and '\\': non-ASCII characters pass as their own UTF-8 bytes and no lone
 * surrogate can arise. So the bytes are copied and those few escaped, 16 at a time by a
 * WebAssembly SIMD kernel (escape.wat, about 0.2 ns a byte against 1 ns for the best plain-JS
 * loop and several ns for decode + JSON.stringify + re-encode); escaping was the largest cost of
 * recording a busy session. Invalid UTF-8 takes a slow path that yields exactly what the decoder
 * would (U+FFFD).
 *
 * Trust: the kernel reads and writes only inside its own memory, at offsets computed here from
 * lengths this module checked; hostile output can make a line six times longer, nothing else.
 */
import { isUtf8 } from 'node:buffer';
import { Kernel, compileKernel, type KernelMemory } from '../core/index.js';
import { ESCAPE_WASM } from './escape-wasm.js';

/** Worst-case growth: a control byte becomes six (\u001b); an invalid byte three (U+FFFD). */
export const ESCAPE_FACTOR = 6;

/** Invalid input shorter than this is decoded as a whole rather than split further. */
const SLOW_PIECE = 64;
/** The kernel's table: 8 bytes per byte value (escape text, then its length in byte 7). */
const TABLE_BYTES = 256 * 8;
/** The kernel stores 16 bytes at a time, and escapes 8 at a time, past the current end. */
const SLACK = 16;

const SHORT: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };
const replacing = new TextDecoder('utf-8');

interface EscapeExports {
  memory: KernelMemory;
  escape(inPtr: number, n: number, outPtr: number): number;
}
const kernel = compileKernel(ESCAPE_WASM);

/**
 * One kernel instance and its memory. Not reentrant: each encode() reuses the same memory, and
 * the line it returns is a view of it, valid until the next call.
 */
export class JsonLineEncoder {
  readonly #k = new Kernel<EscapeExports>(kernel);

  constructor() {
    const mem = this.#k.mem;
    for (let c = 0; c < 256; c += 1) {
      if (!(c < 0x20 || c === 0x22 || c === 0x5c)) continue;
      const e = SHORT[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
      mem.write(e, c * 8, 'latin1');
      mem[c * 8 + 7] = e.length;
    }
  }

  /**
   * `prefix` + the JSON string body of `data` (UTF-8 bytes) + `suffix`; prefix and suffix are
   * ASCII. The result is a view of this encoder's memory, overwritten by the next call.
   */
  encode(prefix: string, data: Uint8Array, suffix: string): Buffer {
    const inAt = TABLE_BYTES;
    const outAt = inAt + align16(data.length);
    this.#k.reserve(outAt + prefix.length + data.length * ESCAPE_FACTOR + suffix.length + SLACK);
    const mem = this.#k.mem;
    mem.set(data, inAt);
    let o = outAt + mem.write(prefix, outAt, 'latin1');
    o = this.#escape(inAt, data.length, o);
    o += mem.write(suffix, o, 'latin1');
    return mem.subarray(outAt, o);
  }

  /** Escapes the `n` bytes at `at` (already in memory) to `o`; returns the end. */
  #escape(at: number, n: number, o: number): number {
    const src = this.#k.mem.subarray(at, at + n);
    if (isUtf8(src)) return this.#k.exports.escape(at, n, o);
    // One bad byte must not send a whole batch down the slow path: halve around it (isUtf8 is
    // SIMD, so re-checking halves is cheap) and decode only small invalid pieces.
    const mid = n > SLOW_PIECE ? splitPoint(src) : 0;
    if (mid > 0) return this.#escape(at + mid, n - mid, this.#escape(at, mid, o));
    const body = JSON.stringify(replacing.decode(src)).slice(1, -1);
    return o + this.#k.mem.write(body, o, 'utf8');
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

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

/**
 * A cut near the middle, before a byte that is not a continuation byte: the decoder then reads
 * both sides exactly as it reads the whole (a sequence left incomplete on the left would also be
 * cut short by that byte), so the pieces decode to the same text. 0 if there is no such cut.
 */
function splitPoint(b: Uint8Array): number {
  for (let p = b.length >>> 1; p < b.length; p += 1) if (((b[p] as number) & 0xc0) !== 0x80) return p;
  return 0;
}
