import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { fixedClock } from '../core/index.js';
import {
  RecordingWriter,
  applyRetention,
  listRecordings,
  loadOrCreateRecordingKey,
  loadPublicKey,
  readTimeline,
  resolveRecording,
  type RetentionLogEntry,
} from './index.js';
import { sampleMeta, tempDir } from './fixtures.js';

const DAY = 86_400_000;

async function fleet() {
  const root = tempDir();
  const key = await loadOrCreateRecordingKey(join(root, 'state'));
  const dir = join(root, 'rec');
  const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);
  const clock = fixedClock(t0);
  const open = (over: Parameters<typeof sampleMeta>[0]) =>
    RecordingWriter.open(dir, sampleMeta({ startedAt: clock.now(), ...over }), { key, clock, onFailure: () => undefined });

  const a = await open({ subject: 'alice@example.com', kind: 'human', target: 'db-prod-1' });
  clock.advance(2000);
  a.command({ line: 'psql -c "DROP TABLE users"', verdict: 'deny', rule: 'no-drop', categories: ['destroy.database'] });
  clock.advance(1000);
  a.command({ line: 'ls -la', verdict: 'allow', rule: 'default', categories: [] });
  clock.advance(1000);
  await a.close({ status: 0 });

  clock.set(t0 + 5 * DAY);
  const b = await open({ subject: 'agent-7', kind: 'agent', target: 'web-1', mode: 'exec', command: 'kubectl delete ns prod' });
  b.command({ line: 'kubectl delete ns prod', verdict: 'review', rule: 'k8s-review', categories: ['destroy.cloud'] });
  clock.advance(500);
  await b.close({ status: 75 });

  clock.set(t0 + 9 * DAY);
  // Still being written (never closed): listed from its cast, not its sidecar.
  const c = await open({ subject: 'alice@example.com', target: 'web-1' });
  c.command({ line: 'cat /etc/shadow', verdict: 'deny', rule: 'secrets', categories: ['secrets.read'] });
  // The worker thread writes them: wait until both the marker and the command record are there.
  await expect.poll(() => readFileSync(c.file, 'utf8').split('cat /etc/shadow').length - 1, { timeout: 10_000, interval: 5 }).toBe(2);
  return { root, key, dir, clock, t0, a, b, c };
}

describe('catalog', () => {
  it('lists with identity, counts and exit status, and filters by subject, kind, target, time, decision and text', async () => {
    const { dir, t0, a, b, c } = await fleet();
    const all = await listRecordings(dir, {});
    expect(all.map((s) => s.id)).toEqual([a.id, b.id, c.id]);
    expect(all[0]).toMatchObject({
      subject: 'alice@example.com',
      kind: 'human',
      target: 'db-prod-1',
      source: '192.0.2.7:50123',
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 4000).toISOString(),
      exitStatus: 0,
      commands: 2,
      denied: 1,
      file: a.file,
      status: 'sealed',
    });
    expect(all[2]).toMatchObject({ status: 'open', commands: 1, denied: 1 });
    const ids = async (f: Parameters<typeof listRecordings>[1]) => (await listRecordings(dir, f)).map((s) => s.id);
    expect(await ids({ subject: 'alice@example.com' })).toEqual([a.id, c.id]);
    expect(await ids({ kind: 'agent' })).toEqual([b.id]);
    expect(await ids({ target: 'web-1' })).toEqual([b.id, c.id]);
    expect(await ids({ from: t0 + 4 * DAY, to: t0 + 6 * DAY })).toEqual([b.id]);
    expect(await ids({ to: t0 + 1000 })).toEqual([a.id]);
    expect(await ids({ decision: 'deny' })).toEqual([a.id, c.id]);
    expect(await ids({ decision: 'review' })).toEqual([b.id]);
    expect(await ids({ text: 'drop table' })).toEqual([a.id]);
    expect(await ids({ text: 'nothing like this' })).toEqual([]);
    expect(await ids({ subject: 'alice@example.com', decision: 'allow' })).toEqual([a.id]);
  });

  it('falls back to the cast when the sidecar is gone', async () => {
    const { dir, a } = await fleet();
    unlinkSync(join(dir, `${a.id}.json`));
    const [s] = await listRecordings(dir, { subject: 'alice@example.com', target: 'db-prod-1' });
    expect(s).toMatchObject({ id: a.id, commands: 2, denied: 1, exitStatus: 0, status: 'sealed' });
  });

  it('reads the command timeline with times, decisions and full lines', async () => {
    const { a, t0 } = await fleet();
    const tl = await readTimeline(a.file);
    expect(tl.map((e) => [e.t, e.at - t0, e.verdict, e.line, e.rule, e.categories])).toEqual([
      [2, 2000, 'deny', 'psql -c "DROP TABLE users"', 'no-drop', ['destroy.database']],
      [3, 3000, 'allow', 'ls -la', 'default', []],
    ]);
  });

  it('resolves ids, unique prefixes and paths', async () => {
    const { dir, a } = await fleet();
    expect(await resolveRecording(dir, a.id)).toBe(a.file);
    expect(await resolveRecording(dir, a.file)).toBe(a.file);
    await expect(resolveRecording(dir, '2026')).rejects.toMatchObject({ code: 'ERR_RECORDING_NOT_FOUND' });
    await expect(resolveRecording(dir, 'nope')).rejects.toMatchObject({ code: 'ERR_RECORDING_NOT_FOUND' });
  });

  it('retention removes old recordings, logs each removal, never touches legal holds or live ones', async () => {
    const { dir, t0, a, b, c } = await fleet();
    const logged: RetentionLogEntry[] = [];
    // c is unsealed; its mtime is now, so it is alive whatever its id says.
    const removed = await applyRetention(dir, {
      maxAgeDays: 3,
      legalHold: [b.id],
      clock: fixedClock(t0 + 30 * DAY),
      log: (e) => logged.push(e),
    });
    expect(removed).toEqual([a.id]);
    expect(existsSync(a.file)).toBe(false);
    expect(existsSync(join(dir, `${a.id}.json`))).toBe(false);
    expect(existsSync(b.file)).toBe(true);
    expect(existsSync(c.file)).toBe(true);
    expect(logged).toEqual([{ event: 'recording.removed', id: a.id, file: a.file, ageDays: 29 }]);
    // An abandoned unsealed file (old mtime) does age out.
    const old = (t0 - DAY) / 1000;
    utimesSync(c.file, old, old);
    expect(await applyRetention(dir, { maxAgeDays: 3, legalHold: [b.id], clock: fixedClock(t0 + 30 * DAY) })).toEqual([c.id]);
    await expect(applyRetention(dir, { maxAgeDays: 0, legalHold: [] })).rejects.toMatchObject({ code: 'ERR_RECORDING_RETENTION' });
  });
});

describe('recording key', () => {
  it('creates an ed25519 key once (0600), publishes the public PEM, and reloads the same key', async () => {
    const state = join(tempDir(), 'state');
    const k1 = await loadOrCreateRecordingKey(state);
    const k2 = await loadOrCreateRecordingKey(state);
    expect(k1.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(k2.fingerprint).toBe(k1.fingerprint);
    expect(k1.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const { statSync } = await import('node:fs');
    expect(statSync(join(state, 'recording-key.pem')).mode & 0o777).toBe(0o600);
    const pub = readFileSync(join(state, 'recording-key.pub'), 'utf8');
    expect(pub).toBe(k1.publicKeyPem);
    expect(createPublicKey(pub).equals(k1.publicKey)).toBe(true);
    expect((await loadPublicKey(join(state, 'recording-key.pub'))).equals(k1.publicKey)).toBe(true);
  });

  it('refuses a private key readable by others, and a key of the wrong type', async () => {
    const state = join(tempDir(), 'state');
    await loadOrCreateRecordingKey(state);
    chmodSync(join(state, 'recording-key.pem'), 0o644);
    await expect(loadOrCreateRecordingKey(state)).rejects.toMatchObject({ code: 'ERR_RECORDING_KEY_PERMS' });
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(state, 'recording-key.pem'), rsa, { mode: 0o600 });
    chmodSync(join(state, 'recording-key.pem'), 0o600);
    await expect(loadOrCreateRecordingKey(state)).rejects.toMatchObject({ code: 'ERR_RECORDING_KEY' });
  });
});
