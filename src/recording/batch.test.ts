import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fixedClock } from '../core/index.js';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording } from './index.js';
import { asciinemaCat, lines, sampleMeta, tempDir } from './fixtures.js';
import { parseEvent } from './format.js';
import { COALESCE_MS } from './batch.js';

async function open(realTime = false) {
  const root = tempDir();
  const key = await loadOrCreateRecordingKey(join(root, 'state'));
  const failures: unknown[] = [];
  const clock = fixedClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const w = await RecordingWriter.open(join(root, 'rec'), sampleMeta({ startedAt: realTime ? Date.now() : clock.now() }), {
    key,
    ...(realTime ? {} : { clock }),
    onFailure: (e) => failures.push(e),
  });
  return { w, key, clock, failures };
}

function events(file: string) {
  return lines(file).slice(1).map((l) => parseEvent(l)).filter((e) => e !== undefined && e[1] !== 'b');
}

describe('output coalescing', () => {
  it('joins chunks within the window into one event stamped with the first chunk, and splits after it', async () => {
    const { w, key, clock, failures } = await open();
    const base = clock.now();
    for (let i = 0; i < 100; i += 1) w.output(Buffer.from(`row ${i}\r\n`)); // PTY-sized pieces, same instant
    clock.set(base + COALESCE_MS); // still within the window of the first chunk
    w.output('tail\r\n');
    clock.set(base + 3 * COALESCE_MS); // past it: a new event at its own time
    w.output('later\r\n');
    await w.close({ status: 0 });
    expect(failures).toEqual([]);
    const evs = events(w.file);
    const text = Array.from({ length: 100 }, (_, i) => `row ${i}\r\n`).join('');
    expect(evs).toEqual([
      [0, 'o', `${text}tail\r\n`],
      [(3 * COALESCE_MS) / 1000, 'o', 'later\r\n'],
    ]);
    expect(asciinemaCat(w.file).stdout.toString('utf8')).toBe(`${text}tail\r\nlater\r\n`);
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
  });

  it('sends batched output before a marker, resize or note, so order and times stay as they happened', async () => {
    const { w, clock } = await open();
    const base = clock.now();
    w.output('before ');
    clock.set(base + 5);
    w.command({ line: 'ls', verdict: 'allow', rule: 'r', categories: [] });
    w.output('after-command ');
    clock.set(base + 10);
    w.resize(100, 30);
    w.output('after-resize ');
    w.note('unguarded', { program: 'vim' });
    w.output('end');
    await w.close({});
    const evs = events(w.file);
    expect(evs).toEqual([
      [0, 'o', 'before '],
      [0.005, 'm', 'allow: ls'],
      [0.005, 'o', 'after-command '],
      [0.01, 'r', '100x30'],
      [0.01, 'o', 'after-resize '],
      [0.01, 'o', 'end'],
    ]);
  });

  it('sends a batch by timer when no more output comes: it is on disk well before the next flush', async () => {
    const { w } = await open(true);
    w.output('lonely prompt$ ');
    const deadline = Date.now() + 5000;
    while (!lines(w.file).some((l) => l.includes('lonely prompt$ ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(lines(w.file).some((l) => l.includes('lonely prompt$ '))).toBe(true);
    await w.close({});
  });

  it('keeps a character split across batches whole, and turns a dangling one into U+FFFD at close', async () => {
    const { w, clock } = await open();
    const base = clock.now();
    const euro = Buffer.from('€');
    w.output(euro.subarray(0, 1));
    clock.set(base + 100); // the next piece goes into a new batch
    w.output(Buffer.concat([euro.subarray(1), Buffer.from('x'), euro.subarray(0, 2)]));
    await w.close({});
    expect(events(w.file).map((e) => e?.[2]).join('')).toBe('€x\ufffd');
  });

  it('spreads one huge write over batches at the same time, characters on the cuts kept whole', async () => {
    const { w, key } = await open();
    const text = '€日本🎉x'.repeat(200_000); // 3.2 MB; 3-, 4- and 1-byte characters straddle every cut
    w.output(text);
    await w.close({});
    const evs = events(w.file);
    expect(evs.length).toBeGreaterThan(10);
    expect(new Set(evs.map((e) => e?.[0]))).toEqual(new Set([0]));
    expect(evs.map((e) => e?.[2]).join('')).toBe(text);
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
  });
});
