import { describe, expect, it } from 'vitest';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording } from './index.js';
import { sampleMeta, tempDir } from './fixtures.js';

describe('back-pressure', () => {
  it('200 MB through output() honouring its return value keeps RSS growth bounded', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'rec');
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: (e) => { throw e; } });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const total = 200 * 1024 * 1024;
    const base = process.memoryUsage().rss;
    let peak = base;
    let paused = 0;
    let drains = 0;
    w.on('drain', () => (drains += 1));
    for (let sent = 0, i = 0; sent < total; sent += chunk.length, i += 1) {
      if (!w.output(chunk)) {
        paused += 1;
        await new Promise<void>((r) => w.once('drain', r));
      }
      if (i % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    await w.close({ status: 0 });
    const growthMb = (peak - base) / 2 ** 20;
    expect(paused).toBeGreaterThan(0);
    expect(drains).toBe(paused);
    expect(growthMb).toBeLessThan(100);
    expect(statSync(w.file).size).toBeGreaterThan(total);
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
    rmSync(root, { recursive: true, force: true });
  }, 120_000);
});
