/**
 * Properties of the masker over generated output: random bytes never throw or fault; terminal
 * mode keeps every byte's column (only printable ASCII turns into `*`); three-way splits give the
 * same output as one chunk; masking already masked output changes nothing; no sample secret
 * survives in any mix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker } from './index.js';
import { LOOKALIKES, SAMPLES } from './samples.testkit.js';

function maskAll(chunks: Uint8Array[], terminal: boolean, ids = ['all']): Buffer {
  const m = createMasker({ detectors: ids, terminal });
  const out = chunks.map((c) => Buffer.from(m.push(c)));
  out.push(Buffer.from(m.flush()));
  expect(m.stats.faults).toBe(0);
  expect(m.held).toBe(0);
  return Buffer.concat(out);
}

const atoms = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SAMPLES.map((s) => s.text)) },
  { weight: 2, arbitrary: fc.constantFrom(...LOOKALIKES) },
  { weight: 3, arbitrary: fc.constantFrom('\x1b[31m', '\x1b[0m', '\x1b[1;32m', '\x1b]0;title\x07', '\x1b(B', '\r\n', ' ', '$ ', 'é', '中', '\x1b[2K\r') },
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...'aZ09 .:=@-_/+;"\'\n'), maxLength: 12 }) },
);
// Atoms are joined by whitespace or punctuation, as output is: a secret glued to a neighbour
// (`-----END …-----glpat-…`) may change status once the neighbour is masked (see docs/masking.md).
const sep = fc.constantFrom(' ', '\r\n', '\t', ', ', '\n\x1b[0m', ' \x1b[33m');
const output = fc.array(fc.tuple(atoms, sep), { maxLength: 12 }).map((a) => Buffer.from(a.flat().join(''), 'utf8'));
// Parts that a lookalike also contains (the wrong-checksum IBAN) legitimately pass.
const SECRET_PARTS = SAMPLES.flatMap((s) => s.parts).filter((p) => !LOOKALIKES.some((l) => l.includes(p)));
const cuts = (len: number) => fc.tuple(fc.nat({ max: len }), fc.nat({ max: len })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

describe('masker properties', () => {
  it('random bytes never throw or fault, in any chunking, and what is held stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.boolean(), (chunks, terminal) => {
        maskAll(chunks, terminal);
      }),
      { numRuns: 500 },
    );
    // The longest hold is a JWT prefix (16 KiB of text) plus an unfinished escape (4 KiB).
    const m = createMasker({ detectors: ['all'], terminal: true });
    for (let i = 0; i < 200; i++) {
      m.push(Buffer.from(i % 2 ? 'eyJ' + 'a'.repeat(500) : `\x1b]0;${'b'.repeat(300)}`));
      expect(m.held).toBeLessThanOrEqual(21 * 1024);
    }
  });

  it('random bytes with escapes and secret fragments never fault', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(atoms, fc.constantFrom('\x1b', '\x1b[', '\x1b]', '\x1bP', '-----BEGIN ', 'eyJ', 'ghp_')), { maxLength: 30 }), fc.boolean(), (parts, terminal) => {
        const b = Buffer.from(parts.join(''));
        maskAll([b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)], terminal);
      }),
      { numRuns: 500 },
    );
  });

  it('terminal mode keeps every column: same length, only printable ASCII becomes *', () => {
    fc.assert(
      fc.property(fc.oneof(output, fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u))), (input) => {
        const out = maskAll([input], true);
        expect(out.length).toBe(input.length);
        for (let i = 0; i < input.length; i++) {
          const a = input[i] as number;
          const b = out[i] as number;
          if (a !== b) expect(b === 42 && a > 0x20 && a < 0x7f).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('three-way splits give the same output as one chunk, and no sample secret survives', () => {
    fc.assert(
      fc.property(output.chain((b) => fc.tuple(fc.constant(b), cuts(b.length), fc.boolean())), ([input, [a, b], terminal]) => {
        const whole = maskAll([input], terminal);
        const split = maskAll([input.subarray(0, a), input.subarray(a, b), input.subarray(b)], terminal);
        expect(split.toString('latin1')).toBe(whole.toString('latin1'));
        const text = whole.toString('utf8');
        for (const p of SECRET_PARTS) expect(text).not.toContain(p);
      }),
      { numRuns: Number(process.env.MASKING_RUNS ?? 400) },
    );
  });

  it('with only the secrets detectors (every one needs a literal, so chunks without one take the quiet path), splits give the same output as one chunk', () => {
    fc.assert(
      fc.property(output.chain((b) => fc.tuple(fc.constant(b), cuts(b.length), fc.boolean())), ([input, [a, b], terminal]) => {
        const whole = maskAll([input], terminal, ['secrets']);
        const split = maskAll([input.subarray(0, a), input.subarray(a, b), input.subarray(b)], terminal, ['secrets']);
        expect(split.toString('latin1')).toBe(whole.toString('latin1'));
      }),
      { numRuns: Number(process.env.MASKING_RUNS ?? 400) },
    );
  });

  it('a flush timer firing anywhere never lets a whole secret through', () => {
    fc.assert(
      fc.property(output.chain((b) => fc.tuple(fc.constant(b), cuts(b.length), fc.boolean())), ([input, [a, b], terminal]) => {
        const m = createMasker({ detectors: ['all'], terminal });
        const out = [m.push(input.subarray(0, a)), m.flush(), m.push(input.subarray(a, b)), m.flush(), m.push(input.subarray(b)), m.flush()];
        const text = Buffer.concat(out.map((o) => Buffer.from(o))).toString('utf8');
        for (const s of SAMPLES) expect(text).not.toContain(s.text);
      }),
      { numRuns: Number(process.env.MASKING_RUNS ?? 400) },
    );
  });

  it('is idempotent: masking masked output changes nothing', () => {
    fc.assert(
      fc.property(output, fc.boolean(), (input, terminal) => {
        const once = maskAll([input], terminal);
        expect(maskAll([once], terminal).toString('latin1')).toBe(once.toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });
});
