/**
 * Recordings of real sessions through the real ssh client: played back by Debian's asciinema,
 * verified by `bulwark verify`, tampered with, cut off by kill -9, and starved of disk space.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asciinemaCat } from '../src/recording/fixtures.js';
import { BIN, runSsh, startBulwark, startWithUser, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';

function casts(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cast')).map((f) => join(dir, f)).sort();
}

function verify(dir: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'verify', '--dir', join(dir, 'recordings'), '--key', join(dir, 'state', 'recording-key.pub'), ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The recording a step created: ids only order to the second, so compare before and after. */
async function newCast(dir: string, before: readonly string[]): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const added = casts(dir).filter((f) => !before.includes(f));
    if (added.length === 1) return added[0] as string;
    if (added.length > 1) throw new Error(`expected one new recording, got ${added.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no new recording');
}

function castLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe('recorded sessions', () => {
  const dir = tempDir();
  let b: Bulwark;
  let key: string;
  let cert: string;
  beforeAll(async () => {
    ({ b, key, cert } = await startWithUser(dir, { keyId: 'auditee@example.com', serial: 31337 }));
  });
  afterAll(async () => {
    await b?.stop();
  });
  /** The first session.end logged from log index `from` on: it comes once the recording is sealed. */
  const sessionEnd = (from: number) => b.waitForLog((l) => l.event === 'session.end' && b.logs.indexOf(l) >= from);

  it('records an exec session that asciinema plays back and verify calls sealed', async () => {
    const from = b.logs.length;
    const r = await runSsh({ port: b.port, key, cert, command: 'printf "héllo wörld\\n"; seq 1 200' });
    expect(r.code).toBe(0);
    await sessionEnd(from);
    const [file] = casts(join(dir, 'recordings'));
    const header = JSON.parse(castLines(file as string)[0] as string) as Record<string, any>;
    expect(header).toMatchObject({ version: 2 });
    expect(header['bulwark']).toMatchObject({ subject: 'auditee@example.com', serial: '31337', mode: 'exec', target: 'local' });
    const cat = asciinemaCat(file as string);
    expect(cat.status).toBe(0);
    expect(cat.stdout.toString('utf8').replace(/\r\n/g, '\n')).toBe(r.stdout);
    const v = verify(dir, '--all');
    expect(v.status).toBe(0);
    expect(v.out).toMatch(/sealed/);
  });

  it('records an interactive shell with its resizes', async () => {
    const before = casts(join(dir, 'recordings'));
    const from = b.logs.length;
    const r = await runSsh({ port: b.port, key, cert, extra: ['-tt'], input: 'echo interactive-$((40+2))\nexit\n' });
    expect(r.stdout).toContain('interactive-42');
    // The client learns of the exit before the recording is sealed; session.end comes after.
    await sessionEnd(from);
    const text = readFileSync(await newCast(join(dir, 'recordings'), before), 'utf8');
    expect(text).toContain('interactive-42');
    expect(verify(dir, '--all').status).toBe(0);
  });

  it('names the record when a real recording is altered, cut, reordered or truncated', async () => {
    const before = casts(join(dir, 'recordings'));
    const from = b.logs.length;
    await runSsh({ port: b.port, key, cert, command: 'for i in $(seq 1 30); do echo line-$i; sleep 0.01; done' });
    await sessionEnd(from);
    const file = await newCast(join(dir, 'recordings'), before);
    const id = file.replace(/^.*\//, '').replace(/\.cast$/, '');
    // The untouched recording must verify as sealed before we tamper with it.
    let sealed = verify(dir, id);
    for (let i = 0; i < 20 && sealed.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      sealed = verify(dir, id);
    }
    expect(sealed.out).toMatch(/sealed/);
    expect(sealed.status).toBe(0);
    const original = readFileSync(file, 'utf8');
    const ls = castLines(file);
    const target = ls.findIndex((l) => l.includes('line-10'));
    expect(target).toBeGreaterThan(0);
    const cases: [string, string][] = [
      ['flip one byte', original.replace('line-10', 'line-1O')],
      ['delete a line', [...ls.slice(0, target), ...ls.slice(target + 1)].join('\n') + '\n'],
      ['swap two lines', [...ls.slice(0, target), ls[target + 1], ls[target], ...ls.slice(target + 2)].join('\n') + '\n'],
      ['truncate the file', original.slice(0, original.indexOf('line-10') + 3)],
    ];
    for (const [what, text] of cases) {
      writeFileSync(file, text);
      const v = verify(dir, id);
      expect(v.status, what).toBe(1);
      expect(v.out, what).toMatch(/tampered/);
      expect(v.out, what).toMatch(new RegExp(`record ${target + 1}\\b|line ${target + 1}\\b`));
    }
    writeFileSync(file, original);
    expect(verify(dir, '--all').status).toBe(0);
  });
});

describe('crash safety', () => {
  it('after kill -9 the recording plays and verifies as unsealed with output up to the last second', async () => {
    const dir = tempDir();
    const ca = makeKey(dir, 'ca');
    const key = makeKey(dir, 'user');
    const cert = signCert(ca, key);
    const b = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
    const busy = runSsh({ port: b.port, key, cert, command: 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.02; done', timeoutMs: 30_000 }).catch(() => undefined);
    await b.waitForLog((l) => l.event === 'session.start');
    await new Promise((r) => setTimeout(r, 2500));
    const killedAt = Date.now();
    b.proc.kill('SIGKILL');
    await b.exited;
    await busy;
    const [file] = casts(join(dir, 'recordings'));
    const text = readFileSync(file as string, 'utf8');
    const ticks = [...text.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThan(20);
    // The last recorded output is from within about a second of the kill.
    const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as { timestamp: number };
    const events = text.split('\n').slice(1).filter((l) => l.startsWith('[') && l.includes('"o"'));
    const lastT = (JSON.parse(events.at(-1) as string) as [number])[0];
    expect(killedAt - (header.timestamp * 1000 + lastT * 1000)).toBeLessThan(1600);
    const v = verify(dir, '--all', '--allow-unsealed');
    expect(v.status).toBe(0);
    expect(v.out).toMatch(/unsealed/);
    // Restart on the same state: the key and the recording are still accepted.
    const again = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
    expect((await runSsh({ port: again.port, key, cert, command: 'echo back' })).stdout).toBe('back\n');
    await again.stop();
    const cat = asciinemaCat(file as string);
    expect(cat.stdout.toString()).toContain(`tick-${ticks.at(-1)}`.slice(0, 6));
  }, 60_000);
});

describe('when recordings cannot be written', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) spawnSync('umount', ['-l', m]);
  });

  async function fullDisk(mode: 'terminate' | 'continue') {
    const dir = tempDir();
    const rec = join(dir, 'recordings');
    mkdirSync(rec);
    // A real 128 KiB filesystem: the session's output fills it. Root is needed (CI runs as root).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', rec]);
    mounts.push(rec);
    const ca = makeKey(dir, 'ca');
    const key = makeKey(dir, 'user');
    const cert = signCert(ca, key);
    const b = await startBulwark({ dir, configYaml: `userCa: [${ca}.pub]\nonRecordingFailure: ${mode}\n` });
    const flood = await runSsh({ port: b.port, key, cert, command: 'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo flood-done', timeoutMs: 30_000 });
    return { b, key, cert, flood, rec };
  }

  it('terminate mode closes the session with a message and refuses new ones', async () => {
    const { b, key, cert, flood } = await fullDisk('terminate');
    try {
      expect(flood.stdout).not.toContain('flood-done');
      expect(flood.stderr).toMatch(/session recording failed.*this session is closed/);
      await b.waitForLog((l) => l.event === 'recording.failure');
      const next = await runSsh({ port: b.port, key, cert, command: 'echo should-not-run' });
      expect(next.stdout).toBe('');
      expect(next.stderr).toMatch(/new sessions are refused/);
      expect(next.code).not.toBe(0);
    } finally {
      await b.stop();
    }
  }, 60_000);

  it('continue mode keeps the session going and logs loudly', async () => {
    const { b, key, cert, flood } = await fullDisk('continue');
    try {
      expect(flood.stdout).toContain('flood-done');
      expect(flood.code).toBe(0);
      const line = await b.waitForLog((l) => l.event === 'recording.failure');
      expect(line['level']).toBe('error');
      expect((await runSsh({ port: b.port, key, cert, command: 'echo still-serving' })).stdout).toBe('still-serving\n');
    } finally {
      await b.stop();
    }
  }, 60_000);
});
