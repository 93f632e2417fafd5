import { describe, expect, it } from 'vitest';
import { endSession, lookupAccount, sessionMembers, spawnPiped, spawnPty, switchUserPrefix, type ExitInfo } from './index.js';

function collect(p: ReturnType<typeof spawnPty>): Promise<{ out: string; exit: ExitInfo }> {
  return new Promise((resolve) => {
    let out = '';
    p.onData((d) => (out += d.toString('utf8')));
    p.onExit((exit) => setTimeout(() => resolve({ out, exit }), 20));
  });
}

const env = { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: '/tmp' };

describe('pty', () => {
  it('runs a program in a PTY of the requested size and reports its exit status', async () => {
    const p = spawnPty({ file: '/bin/bash', args: ['-c', 'stty size; tty; exit 7'], cwd: '/tmp', env }, { cols: 91, rows: 33 });
    const { out, exit } = await collect(p);
    expect(out).toContain('33 91');
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    expect(exit).toEqual({ code: 7, signal: undefined });
  });

  it('reports death by signal by name', async () => {
    const p = spawnPty({ file: '/bin/bash', args: ['-c', 'kill -TERM $$'], cwd: '/tmp', env }, { cols: 80, rows: 24 });
    const { exit } = await collect(p);
    expect(exit).toEqual({ code: undefined, signal: 'TERM' });
  });

  it('resizes the PTY', async () => {
    const p = spawnPty({ file: '/bin/bash', args: ['-c', 'read x; stty size'], cwd: '/tmp', env }, { cols: 80, rows: 24 });
    const done = collect(p);
    p.resize({ cols: 120, rows: 40 });
    p.write('go\r');
    expect((await done).out).toContain('40 120');
  });

  it('drops to the target account with its own groups when running as root', async () => {
    if (process.getuid?.() !== 0) {
      expect(switchUserPrefix(lookupAccount('nobody'))).toEqual([]);
      return;
    }
    const nobody = lookupAccount('nobody');
    const p = spawnPty({ file: '/bin/bash', args: ['-c', 'id -u; id -G'], cwd: '/tmp', env, account: nobody }, { cols: 80, rows: 24 });
    const { out } = await collect(p);
    const [uid, groups] = out.trim().split(/\r?\n/);
    expect(uid).toBe(String(nobody.uid));
    expect(groups?.split(' ')).not.toContain('0');
  });

  it('refuses an unknown account with a clear error', () => {
    expect(() => lookupAccount('no-such-user-xyz')).toThrow(/no OS account "no-such-user-xyz"/);
    expect(() => lookupAccount('bad name;rm')).toThrow(/not a valid account name/);
  });

  it('sweeps background children when the session ends', async () => {
    const p = spawnPiped({ file: '/bin/bash', args: ['-c', 'sleep 300 & sleep 300 & echo started; wait'], cwd: '/tmp', env });
    await new Promise<void>((r) => p.stdout?.once('data', () => r()));
    const pid = p.pid as number;
    expect(sessionMembers(pid).length).toBeGreaterThanOrEqual(3);
    await endSession(pid, 500);
    await new Promise((r) => setTimeout(r, 100));
    expect(sessionMembers(pid)).toEqual([]);
  });
});
