/**
 * The session's masking channel with the real recorder behind it: every secret sample split at
 * every offset across two writes, with a colour escape at the split, reaches neither the client
 * nor the recording in clear (stdout and stderr, terminal and tag modes); flow control survives a
 * masker that holds a whole chunk; held bytes come out on the flush timer and at exit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../audit/index.js';
import { DETECTOR_GROUPS } from '../masking/index.js';
import { SAMPLES } from '../masking/samples.testkit.js';
import { RecordingWriter, loadOrCreateRecordingKey } from '../recording/index.js';
import { sampleMeta, tempDir } from '../recording/fixtures.js';
import type { SessionChannel } from './channel.js';
import { FLUSH_MS, maskedChannel } from './masked.js';
import { recordedChannel } from './recording.js';

const quiet: AuditLog = { event: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet, flush: () => undefined };
const secrets = SAMPLES.filter((s) => (DETECTOR_GROUPS['secrets'] as readonly string[]).includes(s.id));

function client(): SessionChannel & { out: Buffer[]; err: Buffer[]; full: boolean; drain: () => void; exited: boolean } {
  const drains: (() => void)[] = [];
  const c = {
    out: [] as Buffer[],
    err: [] as Buffer[],
    full: false,
    exited: false,
    write: (d: Buffer | string) => (c.out.push(Buffer.from(d)), !c.full),
    writeStderr: (d: Buffer | string) => (c.err.push(Buffer.from(d)), !c.full),
    onData: () => undefined,
    onEnd: () => undefined,
    onClose: () => undefined,
    onDrain: (cb: () => void) => void drains.push(cb),
    exit: () => void (c.exited = true),
    drain: () => {
      c.full = false;
      drains.forEach((d) => d());
    },
  };
  return c;
}

/** Everything the recording's output events hold, decoded. */
function recordedOutput(file: string): string {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('['))
    .map((l) => JSON.parse(l) as [number, string, string])
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
}

describe('masked session channel', () => {
  for (const terminal of [false, true]) {
    it(`masks every secret split at every offset with a colour escape inside (${terminal ? 'terminal' : 'tags'}), in the client and the recording`, async () => {
      const dir = tempDir();
      const key = await loadOrCreateRecordingKey(dir);
      const writer = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: (e) => expect.fail(e.message) });
      const c = client();
      const ch = maskedChannel(recordedChannel(c, writer), ['secrets'], terminal, quiet);
      let n = 0;
      for (const s of secrets) {
        for (let i = 1; i < s.text.length; i++) {
          const write = n++ % 2 === 0 ? ch.write : ch.writeStderr;
          write(`> ${s.text.slice(0, i)}\x1b[31m`);
          write(`${s.text.slice(i)}\x1b[0m\n`);
        }
      }
      ch.exit({ code: 0, signal: undefined });
      await writer.close({ status: 0 });
      const seen = Buffer.concat([...c.out, ...c.err]).toString();
      const recorded = recordedOutput(writer.file);
      expect(recorded.length).toBeGreaterThan(seen.length / 2);
      for (const s of secrets) {
        for (const p of s.parts) {
          expect(seen.includes(p), `${s.name}: ${p} reached the client`).toBe(false);
          expect(recorded.includes(p), `${s.name}: ${p} reached the recording`).toBe(false);
        }
      }
      expect(ch.stats()?.faults).toBe(0);
      expect(c.exited).toBe(true);
    }, 60_000);
  }

  it('keeps flow control: reports full while the client is behind even when the masker held it all', () => {
    const c = client();
    const ch = maskedChannel(c, ['secrets'], true, quiet);
    c.full = true;
    expect(ch.write('plain text\n')).toBe(false);
    expect(ch.write('ghp_')).toBe(false); // held, but the client is still behind
    let drained = 0;
    ch.onDrain(() => (drained += 1));
    c.drain();
    expect(drained).toBe(1);
    expect(ch.write('x')).toBe(true);
  });

  it('releases held bytes on the flush timer and at exit, before the exit status', async () => {
    const c = client();
    const ch = maskedChannel(c, ['secrets'], true, quiet);
    ch.write('mail bob');
    const before = Buffer.concat(c.out).toString();
    await new Promise((r) => setTimeout(r, FLUSH_MS * 4));
    expect(Buffer.concat(c.out).toString()).toBe('mail bob');
    expect(before.length).toBeLessThan('mail bob'.length);
    ch.write('user@exa');
    ch.exit({ code: 0, signal: undefined });
    expect(Buffer.concat(c.out).toString()).toBe('mail bobuser@exa');
  });

  it('is the channel itself when the policy names no detectors', () => {
    const c = client();
    const ch = maskedChannel(c, [], true, quiet);
    ch.write('ghp_0123456789abcdefghijklmnopqrstuvwxyzAB');
    expect(Buffer.concat(c.out).toString()).toBe('ghp_0123456789abcdefghijklmnopqrstuvwxyzAB');
    expect(ch.stats()).toBeUndefined();
  });
});
