import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording } from './index.js';
import { sampleMeta, tempDir } from './fixtures.js';

type Action =
  | { a: 'bytes'; v: Uint8Array }
  | { a: 'text'; v: string }
  | { a: 'resize'; c: number; r: number }
  | { a: 'command'; line: string; verdict: 'allow' | 'deny' | 'review' }
  | { a: 'note'; v: string }
  | { a: 'flush' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((v) => ({ a: 'bytes' as const, v })),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => ({ a: 'text' as const, v })),
  fc.record({ c: fc.integer({ min: 1, max: 500 }), r: fc.integer({ min: 1, max: 200 }) }).map((x) => ({ a: 'resize' as const, ...x })),
  fc
    .record({ line: fc.string({ unit: 'binary', maxLength: 200 }), verdict: fc.constantFrom('allow' as const, 'deny' as const, 'review' as const) })
    .map((x) => ({ a: 'command' as const, ...x })),
  fc.string({ maxLength: 20 }).map((v) => ({ a: 'note' as const, v })),
  fc.constant({ a: 'flush' as const }),
);

describe('recording properties', () => {
  it('any event sequence verifies sealed; any single-byte mutation is tampered at the mutated line', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'rec');
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { maxLength: 25 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (actions, mutations) => {
          const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 10, onFailure: (e) => { throw e; } });
          for (const x of actions) {
            if (x.a === 'bytes') w.output(x.v);
            else if (x.a === 'text') w.output(x.v);
            else if (x.a === 'resize') w.resize(x.c, x.r);
            else if (x.a === 'command') w.command({ line: x.line, verdict: x.verdict, rule: 'p', categories: ['evasion'] });
            else if (x.a === 'note') w.note('n', { v: x.v });
            else await new Promise((r) => setTimeout(r, 15));
          }
          await w.close({ status: 0 });
          expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
          const original = readFileSync(w.file);
          for (const [where, xor] of mutations) {
            const buf = Buffer.from(original);
            const at = Math.floor(where * buf.length);
            buf[at] = (buf[at] ?? 0) ^ xor;
            writeFileSync(w.file, buf);
            const r = await verifyRecording(w.file, key.publicKey);
            expect(r.status, `mutation at byte ${at}`).not.toBe('sealed');
            // The sidecar remembers the seal, so even a cut-looking file is tampered, and the
            // verifier names exactly the line that holds the mutated byte.
            const line = original.subarray(0, at).filter((b) => b === 0x0a).length + 1;
            expect(r.status).toBe('tampered');
            expect(r.firstBadRecord, `mutation at byte ${at}: ${r.reason}`).toBe(line);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe('recording mutations, exhaustively', () => {
  it('every byte of a small sealed recording, flipped or turned into a newline, quote or backslash, is tampered at its line', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const w = await RecordingWriter.open(join(root, 'rec'), sampleMeta(), { key, flushIntervalMs: 10, onFailure: (e) => { throw e; } });
    w.resize(80, 24);
    w.command({ line: 'rm -rf /\u0000', verdict: 'deny', rule: 'p', categories: ['destructive'] });
    await new Promise((r) => setTimeout(r, 15));
    w.output('caf\u00e9 \u65e5\u672c\r\n');
    await w.close({ status: 0 });
    const original = readFileSync(w.file);
    const wrong: string[] = [];
    let line = 1;
    for (let at = 0; at < original.length; at++) {
      const b = original[at] ?? 0;
      // Bit at%8 covers every bit position across neighbouring bytes; the rest are the bytes that
      // carry structure: a newline splits a record, a quote or backslash changes JSON's meaning.
      for (const to of new Set([b ^ (1 << (at % 8)), 0x0a, 0x22, 0x5c])) {
        if (to === b) continue;
        const buf = Buffer.from(original);
        buf[at] = to;
        writeFileSync(w.file, buf);
        const r = await verifyRecording(w.file, key.publicKey);
        if (r.status !== 'tampered' || r.firstBadRecord !== line) wrong.push(`byte ${at} to 0x${to.toString(16)}: ${r.status} at ${r.firstBadRecord} (${r.reason})`);
      }
      if (b === 0x0a) line += 1;
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  }, 120_000);
});
