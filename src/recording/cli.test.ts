import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../core/index.js';
import type { CliIO } from '../cli/io.js';
import { run as verifyCli } from '../cli/verify.js';
import { run as recordingsCli } from '../cli/recordings.js';
import { run as replayCli } from '../cli/replay.js';
import { RecordingWriter, loadOrCreateRecordingKey } from './index.js';
import { sampleMeta, tempDir } from './fixtures.js';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  const stdin = new PassThrough();
  stdin.end();
  return { stdin, stdout, stderr, env: {}, out: () => o, err: () => e };
}

/** A recording with exact times: each step advances the clock then acts. */
async function scripted(dir: string, key: { privateKey: import('node:crypto').KeyObject }, steps: [number, (w: RecordingWriter) => void][], close = true) {
  const clock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
  const w = await RecordingWriter.open(dir, sampleMeta({ startedAt: clock.now() }), { key, clock, onFailure: () => undefined });
  for (const [at, act] of steps) {
    clock.set(Date.UTC(2026, 2, 1, 9, 0, 0) + at * 1000);
    act(w);
  }
  if (close) await w.close({ status: 0 });
  return w;
}

async function env() {
  const root = tempDir();
  const state = join(root, 'state');
  const key = await loadOrCreateRecordingKey(state);
  return { root, state, key, dir: join(root, 'rec') };
}

describe('bulwark verify', () => {
  it('exits 0 for sealed, 2 for unsealed (0 with --allow-unsealed), 1 naming the record for tampered', async () => {
    const { state, key, dir } = await env();
    const good = await scripted(dir, key, [[0, (w) => w.output('ok\r\n')]]);
    const open = await scripted(dir, key, [[0, (w) => w.output('live\r\n')]], false);
    let t = io();
    expect(await verifyCli([good.id, '--dir', dir, '--state', state], t)).toBe(0);
    expect(t.out()).toContain(`${good.id}: SEALED`);
    t = io();
    expect(await verifyCli(['--all', '--dir', dir, '--state', state], t)).toBe(2);
    expect(t.out()).toContain(`${open.id}: UNSEALED`);
    expect(await verifyCli(['--all', '--allow-unsealed', '--dir', dir, '--key', join(state, 'recording-key.pub')], io())).toBe(0);
    const ls = readFileSync(good.file, 'utf8').split('\n');
    ls[1] = ls[1]?.replace('ok', 'OK') ?? '';
    writeFileSync(good.file, ls.join('\n'));
    t = io();
    expect(await verifyCli(['--all', '--dir', dir, '--state', state, '--json'], t)).toBe(1);
    const rows = t.out().trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; firstBadRecord?: number });
    expect(rows.find((r) => r.id === good.id)).toMatchObject({ status: 'tampered', firstBadRecord: 2 });
    await open.close({});
  });

  it('exits 1 for a missing recording or key, 64 for bad usage', async () => {
    const { state, dir } = await env();
    expect(await verifyCli(['nope', '--dir', dir, '--state', state], io())).toBe(1);
    expect(await verifyCli(['x', '--dir', dir, '--state', join(dir, 'nokey')], io())).toBe(1);
    expect(await verifyCli(['--all', 'x', '--state', state], io())).toBe(64);
    expect(await verifyCli([], io())).toBe(64);
  });
});

describe('bulwark recordings', () => {
  it('lists as JSON with filters, shows the timeline, prunes with holds', async () => {
    const { key, dir } = await env();
    const a = await scripted(dir, key, [
      [1, (w) => w.command({ line: 'rm -rf /var/lib/pg', verdict: 'deny', rule: 'no-rm', categories: ['destroy.filesystem'] })],
      [2, (w) => w.command({ line: 'ls', verdict: 'allow', rule: 'default', categories: [] })],
    ]);
    let t = io();
    expect(await recordingsCli(['list', '--json', '--dir', dir, '--decision', 'deny', '--text', 'RM -RF'], t)).toBe(0);
    const listed = JSON.parse(t.out()) as { id: string; commands: number; denied: number }[];
    expect(listed).toEqual([expect.objectContaining({ id: a.id, commands: 2, denied: 1 })]);
    t = io();
    expect(await recordingsCli(['list', '--json', '--dir', dir, '--since', '2027-01-01T00:00:00Z'], t)).toBe(0);
    expect(JSON.parse(t.out())).toEqual([]);
    t = io();
    expect(await recordingsCli(['show', a.id, '--dir', dir], t)).toBe(0);
    expect(t.out()).toMatch(/\+\s+1\.000s\s+DENY\s+destroy\.filesystem\s+no-rm\s+rm -rf \/var\/lib\/pg/);
    expect(t.out()).toMatch(/\+\s+2\.000s\s+ALLOW/);
    expect(await recordingsCli(['list', '--decision', 'maybe', '--dir', dir], io())).toBe(64);
    expect(await recordingsCli(['prune', '--dir', dir], io())).toBe(64);
    t = io();
    expect(await recordingsCli(['prune', '--max-age-days', '1', '--hold', a.id, '--dir', dir], t)).toBe(0);
    expect(t.out()).toContain('0 recording(s) removed');
    t = io();
    expect(await recordingsCli(['prune', '--max-age-days', '1', '--dir', dir], t)).toBe(0);
    expect(t.out()).toContain('1 recording(s) removed');
    expect(JSON.parse(t.err())).toMatchObject({ event: 'recording.removed', id: a.id });
  });
});

describe('bulwark replay', () => {
  it('plays the output exactly, honours --idle-limit, when stdin is not a terminal', async () => {
    const { key, dir } = await env();
    const w = await scripted(dir, key, [
      [0, (w) => w.output('one ')],
      [1, (w) => w.command({ line: 'x', verdict: 'allow', rule: 'r', categories: [] })],
      [3600, (w) => w.output('two 日本\r\n')],
    ]);
    const t = io();
    expect(await replayCli([w.id, '--dir', dir, '--idle-limit', '0.05', '--speed', '4'], t)).toBe(0);
    expect(t.out()).toBe('one two 日本\r\n');
  });

  it('--follow plays a recording while it is written and stops at the seal', async () => {
    const { key, dir } = await env();
    const w = await RecordingWriter.open(dir, sampleMeta(), { key, flushIntervalMs: 50, onFailure: () => undefined });
    w.output('early\r\n');
    const t = io();
    const playing = replayCli([w.id, '--dir', dir, '--follow'], t);
    await new Promise((r) => setTimeout(r, 400));
    w.output('later\r\n');
    await new Promise((r) => setTimeout(r, 400));
    w.output('last\r\n');
    await w.close({ status: 0 });
    expect(await playing).toBe(0);
    expect(t.out()).toBe('early\r\nlater\r\nlast\r\n');
  });

  it('in a real terminal: space pauses, n/p jump between markers, q quits', async () => {
    const { key, dir } = await env();
    const mark = (w: RecordingWriter, line: string) => w.command({ line, verdict: 'deny', rule: 'r', categories: ['evasion'] });
    const w = await scripted(dir, key, [
      [0, (w) => w.output('ready|')],
      [1, (w) => w.output('first|')],
      [2, (w) => mark(w, 'm1')],
      [3, (w) => w.output('second|')],
      [500, (w) => w.output('third|')],
      [600, (w) => mark(w, 'm2')],
      [600, (w) => w.output('fourth|')],
      [9000, (w) => w.output('fifth|')],
    ]);
    const bin = join(process.cwd(), 'bin/bulwark.js');
    const drive = async (keys: string[]): Promise<string> => {
      const child = spawn('script', ['-qec', `node ${bin} replay ${w.id} --dir ${dir}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      const deadline = Date.now() + 20_000;
      while (!out.includes('ready|') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const k of keys) {
        if (k === 'wait') await new Promise((r) => setTimeout(r, 300));
        else child.stdin.write(k);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(await exited).toBe(0);
      return out.replace(/\u001b\]2;[^\u0007]*\u0007/g, '');
    };
    // Paused: jumps still land, but nothing plays on by itself.
    const paused = await drive([' ', 'n', 'n', 'q']);
    expect(paused).toContain('ready|first|second|third|');
    expect(paused).not.toContain('fourth|');
    // Playing: after the jump to m2, output at the marker's time plays; 8400 s later does not.
    const playing = await drive(['n', 'n', 'wait', 'q']);
    expect(playing).toContain('third|fourth|');
    expect(playing).not.toContain('fifth|');
    // p right after m2 goes back to m1: the screen is reset and re-rendered up to m1.
    const back = await drive([' ', 'n', 'n', 'p', 'q']);
    const afterReset = back.split('\u001bc').at(-1) ?? '';
    expect(back).toContain('\u001bc');
    expect(afterReset).toBe('ready|first|');
  }, 90_000);
});
