import { WireError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Reader for the SSH binary encoding (RFC 4251 §5). Every read checks the remaining length
 * first, so hostile lengths (up to 2^32-1) can neither read out of bounds nor make us allocate:
 * strings are zero-copy views of the input.
 */
export class WireReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  /** Fails unless every byte was consumed: trailing data is how parser confusion attacks hide. */
  expectEnd(what: string): void {
    if (!this.atEnd()) {
      throw new WireError('ERR_SSH_WIRE_TRAILING_BYTES', `${what}: ${this.remaining} unexpected trailing byte(s)`);
    }
  }

  private take(n: number, what: string): Uint8Array {
    if (n > this.remaining) {
      throw new WireError(
        'ERR_SSH_WIRE_TRUNCATED',
        `${what}: needs ${n} byte(s) at offset ${this.offset}, only ${this.remaining} left`,
      );
    }
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  readByte(what = 'byte'): number {
    return this.take(1, what)[0] as number;
  }

  readBoolean(what = 'boolean'): boolean {
    return this.readByte(what) !== 0;
  }

  readUint32(what = 'uint32'): number {
    const b = this.take(4, what);
    return (((b[0] as number) << 24) >>> 0) + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number);
  }

  readUint64(what = 'uint64'): bigint {
    const b = this.take(8, what);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return v;
  }

  readString(what = 'string'): Uint8Array {
    const n = this.readUint32(`${what} length`);
    return this.take(n, what);
  }

  /** A string that must be valid UTF-8 without NUL (OpenSSH reads these as C strings). */
  readText(what = 'text'): string {
    return decodeText(this.readString(what), what);
  }

  /**
   * A non-negative mpint, returned as its magnitude bytes without the sign-padding zero. Negative
   * and non-minimal encodings are refused, as OpenSSH does, so one value has one encoding.
   */
  readPositiveMpint(what = 'mpint'): Uint8Array {
    const raw = this.readString(what);
    if (raw.length === 0) return raw;
    const first = raw[0] as number;
    if (first & 0x80) throw new WireError('ERR_SSH_WIRE_BAD_MPINT', `${what}: negative mpint`);
    if (first === 0) {
      if (raw.length === 1 || ((raw[1] as number) & 0x80) === 0) {
        throw new WireError('ERR_SSH_WIRE_BAD_MPINT', `${what}: mpint has an unnecessary leading zero`);
      }
      return raw.subarray(1);
    }
    return raw;
  }
}

export function decodeText(bytes: Uint8Array, what: string): string {
  if (bytes.includes(0)) throw new WireError('ERR_SSH_WIRE_BAD_TEXT', `${what}: contains a NUL byte`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireError('ERR_SSH_WIRE_BAD_TEXT', `${what}: not valid UTF-8`);
  }
}

/** Builder for SSH encodings, used to re-encode plain keys and by tests to craft hostile input. */
export class WireWriter {
  private readonly parts: Uint8Array[] = [];

  byte(v: number): this {
    this.parts.push(Uint8Array.of(v & 0xff));
    return this;
  }

  uint32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    this.parts.push(b);
    return this;
  }

  uint64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v));
    this.parts.push(b);
    return this;
  }

  string(v: Uint8Array | string): this {
    const bytes = typeof v === 'string' ? utf8Encoder.encode(v) : v;
    this.uint32(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  /** Magnitude bytes (big-endian, unsigned) → minimal positive mpint. */
  mpint(magnitude: Uint8Array): this {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) start++;
    const m = magnitude.subarray(start);
    if (m.length > 0 && ((m[0] as number) & 0x80) !== 0) {
      const padded = new Uint8Array(m.length + 1);
      padded.set(m, 1);
      return this.string(padded);
    }
    return this.string(m);
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  toBytes(): Uint8Array {
    const total = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
