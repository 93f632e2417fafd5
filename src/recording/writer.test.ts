import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../core/index.js';
import { RecordingWriter, loadOrCreateRecordingKey, verifyRecording, MARKER_MAX } from './index.js';
import { asciinemaCat, checkpointCount, lines, nextCheckpoint, sampleMeta, tempDir } from './fixtures.js';
import { parseEvent, parseRecord } from './format.js';

async function setup() {
  const root = tempDir();
  const key = await loadOrCreateRecordingKey(join(root, 'state'));
  const dir = join(root, 'rec');
  return { root, key, dir };
}

describe('RecordingWriter', () => {
  it('writes a cast that Debian asciinema cat reproduces byte for byte, multibyte splits included', async () => {
    const { key, dir } = await setup();
    const failures: unknown[] = [];
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: (e) => failures.push(e) });
    const text = 'prompt$ echo héllo → 日本語 🎉\r\n\u001b[31mred\u001b[0m ok\r\n';
    const bytes = Buffer.from(text, 'utf8');
    // Cut at every awkward place: inside the 2-, 3- and 4-byte sequences.
    const cuts = [1, 17, 18, 24, 30, 31, 37, 38, 39, bytes.length];
    let prev = 0;
    for (const c of cuts) {
      w.output(bytes.subarray(prev, c));
      prev = c;
    }
    w.output('plain string\n');
    await w.close({ status: 0 });
    expect(failures).toEqual([]);
    const cat = asciinemaCat(w.file);
    expect(cat.status).toBe(0);
    expect(cat.stdout.toString('utf8')).toBe(`${text}plain string\n`);
    expect(cat.stdout.toString('utf8')).not.toContain('\ufffd');
    expect((await verifyRecording(w.file, key.publicKey)).status).toBe('sealed');
  });

  it('names the file <id>.cast with a sortable id, 0640, and a header carrying identity', async () => {
    const { key, dir } = await setup();
    const meta = sampleMeta({ startedAt: Date.UTC(2026, 10, 22, 3, 38, 0, 250), mode: 'exec', command: 'uptime' });
    const w = await RecordingWriter.open(dir, meta, { key, onFailure: () => undefined });
    await w.close({});
    expect(w.id).toMatch(/^20261122T033800Z-[0-9a-f]{8}$/);
    expect(w.file).toBe(join(dir, `${w.id}.cast`));
    expect(statSync(w.file).mode & 0o777).toBe(0o640);
    const header = JSON.parse(lines(w.file)[0] ?? '') as Record<string, any>;
    expect(header.version).toBe(2);
    expect(header.timestamp).toBe(Math.floor(meta.startedAt / 1000));
    expect(header.width).toBe(120);
    expect(header.bulwark).toMatchObject({
      id: w.id,
      subject: 'alice@example.com',
      kind: 'human',
      groups: ['ops', 'dba'],
      serial: '18446744073709551615',
      source: '192.0.2.7:50123',
      target: 'db-prod-1',
      mode: 'exec',
      command: 'uptime',
      key: key.fingerprint,
    });
    expect(readdirSync(dir).sort()).toEqual([`${w.id}.cast`, `${w.id}.json`]);
  });

  it('writes markers with short labels and structured command records with the full line', async () => {
    const { key, dir } = await setup();
    const clock = fixedClock(Date.UTC(2026, 0, 1, 0, 0, 0));
    const w = await RecordingWriter.open(dir, sampleMeta({ startedAt: clock.now() }), { key, clock, onFailure: () => undefined });
    clock.advance(1500);
    const long = `psql -c "DROP TABLE users" ${'x'.repeat(300)}\nsecond line`;
    w.command({ line: long, verdict: 'deny', rule: 'no-drops', categories: ['destroy.database'], reason: 'drops a table' });
    clock.advance(250);
    w.resize(90, 30);
    w.note('unguarded', { program: 'vim' });
    await w.close({ signal: 'SIGHUP' });
    const evs = lines(w.file).slice(1).map((l) => parseEvent(l));
    const marker = evs.find((e) => e?.[1] === 'm');
    expect(marker?.[0]).toBe(1.5);
    expect(marker?.[2].startsWith('deny destroy.database: psql -c "DROP TABLE users" xxx')).toBe(true);
    expect(marker?.[2].length).toBeLessThanOrEqual(MARKER_MAX);
    expect(marker?.[2]).not.toContain('\n');
    const recs = evs.filter((e) => e?.[1] === 'b').map((e) => (e === undefined ? undefined : parseRecord(e)));
    expect(recs[0]).toMatchObject({ kind: 'command', line: long, verdict: 'deny', rule: 'no-drops', reason: 'drops a table' });
    expect(evs.find((e) => e?.[1] === 'r')).toEqual([1.75, 'r', '90x30']);
    expect(recs.find((r) => r?.kind === 'note')).toMatchObject({ note: 'unguarded', data: { program: 'vim' } });
    const seal = recs.at(-1);
    expect(seal).toMatchObject({ kind: 'checkpoint', sealed: true, exit: { signal: 'SIGHUP' }, commands: 1, denied: 1 });
  });

  it('is accepted by asciinema-player: b records are skipped, markers and output come through', async () => {
    const { key, dir } = await setup();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 20, onFailure: () => undefined });
    w.output('one\r\n');
    w.command({ line: 'rm -rf /', verdict: 'deny', rule: 'r1', categories: ['destroy.filesystem'] });
    await new Promise((r) => setTimeout(r, 60)); // a periodic checkpoint lands between outputs
    w.output('two\r\n');
    await w.close({ status: 0 });
    const distDir = join(process.cwd(), 'node_modules/asciinema-player/dist');
    const coreFile = readdirSync(distDir).find((f) => f.startsWith('core-') && f.endsWith('.js'));
    expect(coreFile).toBeDefined();
    const { C: Core } = (await import(join(distDir, coreFile ?? ''))) as { C: new (src: unknown, opts: unknown) => any };
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const core = new Core({ data: readFileSync(w.file, 'utf8') }, { logger, speed: 1000, autoPlay: true, loop: false });
    const out: string[] = [];
    const markers: string[] = [];
    let meta: { cols?: number; rows?: number; markers?: [number, string][] } = {};
    core.addEventListener('output', (d: string) => out.push(d));
    core.addEventListener('marker', (m: { label: string }) => markers.push(m.label));
    core.addEventListener('metadata', (m: typeof meta) => (meta = m));
    const errors: unknown[] = [];
    core.addEventListener('error', (e: unknown) => errors.push(e));
    const ended = new Promise((r) => core.addEventListener('ended', r));
    core.terminalReady();
    await core.init();
    await ended;
    expect(errors).toEqual([]);
    expect(out.join('')).toBe('one\r\ntwo\r\n');
    expect(markers).toEqual(['deny destroy.filesystem: rm -rf /']);
    expect(meta.markers?.map((m) => m[1])).toEqual(['deny destroy.filesystem: rm -rf /']);
  });

  it('checkpoints at every flush interval while output flows', async () => {
    const { key, dir } = await setup();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 50, onFailure: () => undefined });
    // Each output is followed by a checkpoint, with no call but the timer's asking for one.
    let seen = 0;
    for (let i = 0; i < 6; i += 1) {
      w.output(`tick ${i}\n`);
      seen = await nextCheckpoint(w.file, seen);
    }
    expect(seen).toBeGreaterThanOrEqual(6); // one more if a tick came before the first output
    // Before close: what is on disk already verifies up to the last checkpoint.
    const mid = await verifyRecording(w.file, key.publicKey);
    expect(mid.status).toBe('unsealed');
    expect(mid.covered).toBeGreaterThanOrEqual(7);
    await w.close({ status: 0 });
    expect(checkpointCount(w.file)).toBe(seen + 1);
  });

  it('ignores calls after close and does not write twice on double close', async () => {
    const { key, dir } = await setup();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, onFailure: () => undefined });
    w.output('a');
    await Promise.all([w.close({ status: 1 }), w.close({ status: 2 })]);
    expect(w.output('late')).toBe(true);
    w.command({ line: 'ls', verdict: 'allow', rule: 'r', categories: [] });
    const before = readFileSync(w.file);
    await w.close({});
    expect(readFileSync(w.file)).toEqual(before);
    expect((await verifyRecording(w.file, key.publicKey)).seal?.exit).toEqual({ status: 1 });
  });
});
