import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording, type RecordingError } from './index.js';
import { currentRecordingWorker, prepareRecordingWorker } from './host.js';
import { asciinemaCat, sampleMeta, tempDir } from './fixtures.js';

async function setup() {
  const root = tempDir();
  const key = await loadOrCreateRecordingKey(join(root, 'state'));
  return { key, dir: join(root, 'rec') };
}

describe('the recording worker', () => {
  it('serves several recordings at once, each its own sealed, playable file', async () => {
    const { key, dir } = await setup();
    const ws = await Promise.all([0, 1, 2].map(() => RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 20, onFailure: (e) => { throw e; } })));
    for (let round = 0; round < 50; round += 1) {
      ws.forEach((w, i) => w.output(`w${i} r${round} ${'é'.repeat(i * 700)}\r\n`));
      if (round % 10 === 0) await new Promise((r) => setTimeout(r, 25));
    }
    await Promise.all(ws.map((w) => w.close({ status: 0 })));
    for (const [i, w] of ws.entries()) {
      expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
      const text = Array.from({ length: 50 }, (_, r) => `w${i} r${r} ${'é'.repeat(i * 700)}\r\n`).join('');
      expect(asciinemaCat(w.file).stdout.toString('utf8')).toBe(text);
    }
  });

  it('a dead worker fails every open recording once (fail closed), releases paused sources, and a fresh one takes over', async () => {
    const { key, dir } = await setup();
    const errors: RecordingError[] = [];
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, highWaterMark: 1024, onFailure: (e) => errors.push(e) });
    let drains = 0;
    w.on('drain', () => (drains += 1));
    w.output('before the crash\r\n');
    const paused = !w.output(Buffer.alloc(8192, 'x'));
    const worker = currentRecordingWorker();
    expect(worker).toBeDefined();
    await worker?.thread.terminate();
    const deadline = Date.now() + 5000;
    while (!w.failed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(w.failed).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['ERR_RECORDING_WRITE']);
    expect(errors[0]?.message).toContain('recording worker');
    // A paused source is never stranded: it got its drain, from the worker's last ack or the failure.
    expect(paused).toBe(true);
    expect(drains).toBe(1);
    expect(w.output('after')).toBe(true);
    await expect(w.close({ status: 0 })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect((await verifyRecording(w.file, key.publicKey)).status).not.toBe('sealed');

    const again = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: (e) => { throw e; } });
    expect(currentRecordingWorker()).not.toBe(worker);
    again.output('back\r\n');
    await again.close({ status: 0 });
    expect((await verifyRecording(again.file, key.publicKey)).status).toBe('sealed');
  });

  it('can be started ahead of the first recording, which then reuses it', async () => {
    await prepareRecordingWorker();
    const ready = currentRecordingWorker();
    expect(ready).toBeDefined();
    const { key, dir } = await setup();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: (e) => { throw e; } });
    expect(currentRecordingWorker()).toBe(ready);
    await w.close({});
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
  });
});
