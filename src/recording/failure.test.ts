import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording, type RecordingError } from './index.js';
import { sampleMeta, tempDir } from './fixtures.js';

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', ['-l', m]);
});

function collect() {
  const errors: RecordingError[] = [];
  return { errors, onFailure: (e: RecordingError) => errors.push(e) };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('write failures', () => {
  it('disk full on a real 64 KiB tmpfs: onFailure once with ERR_RECORDING_WRITE, no throw, later calls are no-ops', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'tiny');
    mkdirSync(dir);
    // We run as root in CI; a mount failure is a real failure of this test, not a skip.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    mounts.push(dir);
    const { errors, onFailure } = collect();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 20, onFailure });
    const chunk = 'x'.repeat(4096);
    for (let i = 0; i < 64 && !w.failed; i += 1) {
      expect(() => w.output(chunk)).not.toThrow();
      await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => w.failed);
    expect(errors.map((e) => e.code)).toEqual(['ERR_RECORDING_WRITE']);
    expect(errors[0]?.message).toContain('ENOSPC');
    expect(w.output('more')).toBe(true);
    w.command({ line: 'ls', verdict: 'allow', rule: 'r', categories: [] });
    await expect(w.close({ status: 0 })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    // What made it to disk is still a recording the verifier can reason about, never "sealed".
    expect((await verifyRecording(w.file, key.publicKey)).status).not.toBe('sealed');
  });

  it('recordings directory removed while writing: ERR_RECORDING_UNLINKED at the next flush', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'rec');
    const { errors, onFailure } = collect();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 20, onFailure });
    w.output('hello\n');
    rmSync(dir, { recursive: true, force: true });
    w.output('into the void\n');
    await waitFor(() => w.failed);
    expect(errors.map((e) => e.code)).toEqual(['ERR_RECORDING_UNLINKED']);
    await w.close({});
    expect(errors).toHaveLength(1);
  });

  it('directory path under a regular file: open rejects with ERR_RECORDING_OPEN', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    writeFileSync(join(root, 'plain'), 'not a directory');
    const { errors, onFailure } = collect();
    await expect(RecordingWriter.open(join(root, 'plain', 'rec'), sampleMeta(), { key, onFailure })).rejects.toMatchObject({
      code: 'ERR_RECORDING_OPEN',
    });
    expect(errors).toEqual([]);
  });

  it('refuses a caller-chosen id that would escape the directory', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    for (const id of ['../evil', '.hidden', 'a/b', '']) {
      await expect(RecordingWriter.open(join(root, 'rec'), sampleMeta({ id }), { key, onFailure: () => undefined })).rejects.toMatchObject({
        code: 'ERR_RECORDING_OPEN',
      });
    }
  });

  it('an id that already exists is never overwritten', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'rec');
    const meta = sampleMeta({ id: '20260101T000000Z-deadbeef' });
    const w = await RecordingWriter.open(dir, meta, { key, onFailure: () => undefined });
    await w.close({});
    await expect(RecordingWriter.open(dir, meta, { key, onFailure: () => undefined })).rejects.toMatchObject({
      code: 'ERR_RECORDING_OPEN',
    });
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
  });

  it('an onFailure callback that throws does not escape into the writer', async () => {
    const root = tempDir();
    const key = await loadOrCreateRecordingKey(join(root, 'state'));
    const dir = join(root, 'rec');
    let calls = 0;
    const w = await RecordingWriter.open(dir, sampleMeta(), {
      key,
      flushIntervalMs: 20,
      onFailure: () => {
        calls += 1;
        throw new Error('session layer bug');
      },
    });
    rmSync(dir, { recursive: true, force: true });
    w.output('x');
    await waitFor(() => w.failed);
    await w.close({});
    expect(calls).toBe(1);
  });
});
