import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ESCAPE_FACTOR, completePrefixLength, escapeInto } from './escape.js';

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
    const out = Buffer.alloc(data.length * ESCAPE_FACTOR);
    pieces.push(out.subarray(0, escapeInto(data, out, 0)));
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
      const out = Buffer.alloc(view.length * ESCAPE_FACTOR + 3);
      const end = escapeInto(view, out, 3);
      expect(out.subarray(3, end).toString('utf8')).toBe(JSON.stringify(text).slice(1, -1));
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
    const out = Buffer.alloc(bad.length * ESCAPE_FACTOR);
    const end = escapeInto(bad, out, 0);
    expect(out.subarray(0, end).toString('utf8')).toBe(JSON.stringify(new TextDecoder().decode(bad)).slice(1, -1));
  });
});
