import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonLineEncoder, completePrefixLength } from './escape.js';

const encoder = new JsonLineEncoder();
/** The JSON string body for `data`, copied out of the encoder's memory. */
const body = (data: Uint8Array): Buffer => Buffer.from(encoder.encode('', data, ''));
const json = (text: string): string => JSON.stringify(text).slice(1, -1);

/** What the writer did before the byte path: decode as a stream, JSON.stringify, re-encode. */
function reference(chunks: Uint8Array[]): string[] {
  const d = new TextDecoder('utf-8');
  const out = chunks.map((c) => d.decode(c, { stream: true }));
  out.push(d.decode());
  return out;
}

function viaBytes(chunks: Uint8Array[]): { pieces: Buffer[]; text: string } {
  let carry = Buffer.alloc(0);
  const pieces: Buffer[] = [];
  const run = (data: Buffer): void => {
    pieces.push(body(data));
  };
  for (const c of chunks) {
    const data = Buffer.concat([carry, c]);
    const cut = completePrefixLength(data);
    carry = Buffer.from(data.subarray(cut));
    run(data.subarray(0, cut));
  }
  run(carry);
  const text = pieces.map((p) => JSON.parse(`"${p.toString('utf8')}"`) as string).join('');
  return { pieces, text };
}

const utf8ish = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  // Long valid text with a few raw bytes spliced in: exercises the split around invalid bytes.
  fc
    .tuple(fc.string({ unit: 'grapheme', minLength: 40, maxLength: 400 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 4 }))
    .map(([s, bad]) => {
      const b = Buffer.from(s);
      for (const [at, v] of bad) if (b.length > 0) b[at % b.length] = v;
      return new Uint8Array(b);
    }),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc.constantFrom(...['é', '日本', '🎉', '\u001b[0m', '"\\', '\r\n\t\b\f\u0000\u007f'].map((s) => new Uint8Array(Buffer.from(s)))),
);

describe('JSON escaping of output bytes', () => {
  it('matches JSON.stringify of the decoded text byte for byte, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(utf8ish, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (parts, cutsRaw) => {
        const all = Buffer.concat(parts);
        const cuts = [...new Set(cutsRaw.map((c) => (all.length === 0 ? 0 : c % (all.length + 1))))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const c of [...cuts, all.length]) {
          chunks.push(all.subarray(prev, c));
          prev = c;
        }
        const { pieces, text } = viaBytes(chunks);
        expect(text).toBe(reference(chunks).join(''));
        // Every piece is exactly what JSON.stringify writes for its own text.
        for (const p of pieces) {
          const decoded = JSON.parse(`"${p.toString('utf8')}"`) as string;
          expect(p.toString('utf8')).toBe(JSON.stringify(decoded).slice(1, -1));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes at any alignment of the source buffer, including long clean and dirty runs', () => {
    const text = `${'plain ascii text '.repeat(20)}"quoted" back\\slash \u001b[1mbold\u001b[0m\r\n日本語 ${'x'.repeat(37)}`;
    const src = Buffer.from(text);
    for (let shift = 0; shift < 8; shift += 1) {
      const padded = Buffer.alloc(src.length + shift);
      src.copy(padded, shift);
      const view = padded.subarray(shift);
      expect(body(view).toString('utf8')).toBe(json(text));
    }
  });

  it('holds back only an incomplete trailing character', () => {
    const b = (...x: number[]) => new Uint8Array(x);
    expect(completePrefixLength(b(0x41, 0xe2, 0x82))).toBe(1); // € cut after two of three bytes
    expect(completePrefixLength(b(0x41, 0xe2, 0x82, 0xac))).toBe(4);
    expect(completePrefixLength(b(0xf0, 0x9f, 0x8e))).toBe(0); // 🎉 cut after three of four
    expect(completePrefixLength(b(0x41, 0xc3))).toBe(1);
    expect(completePrefixLength(b(0x41, 0xff))).toBe(2); // never valid: nothing to wait for
    expect(completePrefixLength(b(0x80, 0x80, 0x80))).toBe(3);
    expect(completePrefixLength(b())).toBe(0);
  });

  it('turns invalid UTF-8 into U+FFFD exactly like the decoder', () => {
    const bad = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22]);
    expect(body(bad).toString('utf8')).toBe(json(new TextDecoder().decode(bad)));
  });

  it('escapes every ASCII byte at every position of a 16-byte block and of the tail', () => {
    for (let c = 0; c < 0x80; c += 1) {
      for (let at = 0; at < 40; at += 1) {
        for (const after of [0, 1, 15, 16, 17]) {
          const text = `${'a'.repeat(at)}${String.fromCharCode(c)}${'z'.repeat(after)}`;
          const got = body(Buffer.from(text)).toString('utf8');
          if (got !== json(text)) expect({ c, at, after, got }).toEqual({ c, at, after, got: json(text) });
        }
      }
    }
  });

  it('matches JSON.stringify on long inputs with dense escapes, and frames the line', () => {
    const piece = fc.constantFrom('a', 'bc', '\n', '\r\n', '\u001b[31m', '"', '\\', 'é', '日本', '🎉', '\t', 'x'.repeat(23), '\u0000');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 600 }), (parts) => {
        const text = parts.join('');
        const line = Buffer.from(encoder.encode('[1.5,"o","', Buffer.from(text), '"]\n'));
        expect(line.toString('utf8')).toBe(`${JSON.stringify([1.5, 'o', text])}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('grows its memory for a large batch and stays correct for the small ones after it', () => {
    const big = `${'0123456789abcdef'.repeat(40_000)}\u0001"\\`; // 640 KiB: beyond the first memory page
    expect(body(Buffer.from(big)).toString('utf8')).toBe(json(big));
    const all = `${'\u0000'.repeat(100_000)}`; // six-fold growth, the worst case
    expect(body(Buffer.from(all)).toString('utf8')).toBe(json(all));
    expect(body(Buffer.from('small "one"\n')).toString('utf8')).toBe(json('small "one"\n'));
  });
});
