/**
 * The SSH front door end to end: the real OpenSSH client against `bulwark serve` on loopback,
 * with certificates signed by `ssh-keygen -s` at test time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, startWithUser, type Bulwark } from './support/bulwark.js';
import { tempDir } from './support/keys.js';
import { SshTerminal } from './support/terminal.js';

let b: Bulwark;
let key: string;
let cert: string;
const dir = tempDir();

beforeAll(async () => {
  ({ b, key, cert } = await startWithUser(dir, { keyId: 'alice@example.com', options: ['extension:kind@bulwark=human', 'extension:groups@bulwark=sre,dba'], serial: 4242 }));
});

afterAll(async () => {
  await b?.stop();
});

const ssh = (command?: string, extra: { input?: string; extra?: string[] } = {}) => runSsh({ port: b.port, key, cert, command, ...extra });

describe('exec through the real ssh client', () => {
  it('returns the output and the exit status', async () => {
    const r = await ssh('uname -s; echo to-stderr >&2; exit 3');
    expect(r.stdout).toBe('Linux\n');
    expect(r.stderr).toContain('to-stderr');
    expect(r.code).toBe(3);
  });

  it('pipes stdin through to the command and carries EOF', async () => {
    const data = 'x'.repeat(100_000);
    const r = await ssh('wc -c', { input: data });
    expect(r.stdout.trim()).toBe('100000');
    expect(r.code).toBe(0);
  });

  it('propagates death by signal', async () => {
    const r = await ssh('kill -TERM $$');
    expect(r.code).not.toBe(0);
    const end = await b.waitForLog((l) => l.event === 'session.end' && l['exitSignal'] === 'TERM');
    expect(end['subject']).toBe('alice@example.com');
  });

  it('logs identity on every session line', async () => {
    await ssh('true');
    const start = await b.waitForLog((l) => l.event === 'session.start' && l['command'] === 'true');
    expect(start).toMatchObject({ subject: 'alice@example.com', kind: 'human', groups: ['sre', 'dba'], serial: '4242', principal: 'deploy' });
    expect(String(start['ca'])).toMatch(/^SHA256:/);
  });

  it('runs the command as an unprivileged account, never root by default', async () => {
    const r = await ssh('id -u');
    if (process.getuid?.() === 0) expect(r.stdout.trim()).not.toBe('0');
    expect(r.code).toBe(0);
  });

  it('passes only allowlisted environment variables', async () => {
    const r = await runSsh({ port: b.port, key, cert, command: 'echo "[$LANG][$SECRET_THING]"', extra: ['-o', 'SetEnv=LANG=C.UTF-8 SECRET_THING=leak'] });
    expect(r.stdout.trim()).toBe('[C.UTF-8][]');
  });

  it('serves 50 concurrent exec connections', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ssh(`echo $((${i} * 2))`)));
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(String(i * 2));
    });
  }, 60_000);
});

describe('interactive PTY sessions', () => {
  it('gives a bash shell scripted through ssh -tt', async () => {
    const r = await ssh(undefined, { extra: ['-tt'], input: 'echo "tty=$(tty)"\necho hello-$((6*7))\nexit 5\n' });
    expect(r.stdout).toMatch(/tty=\/dev\/pts\/\d+/);
    expect(r.stdout).toContain('hello-42');
    expect(r.code).toBe(5);
  });

  it('follows window changes from a real terminal', async () => {
    const term = new SshTerminal({ port: b.port, key, cert, cwd: dir, cols: 80, rows: 24 });
    term.write('stty size | sed "s/^/size=/"\r');
    await term.waitFor(/size=24 80/);
    term.p.resize({ cols: 132, rows: 43 });
    await new Promise((r) => setTimeout(r, 200));
    term.write('stty size | sed "s/^/size=/"\r');
    await term.waitFor(/size=43 132/);
    term.write('exit\r');
    await term.exited;
  });
});

describe('pager hardening', () => {
  it('runs sessions with less and systemd pagers in secure mode (no shell escapes)', async () => {
    const r = await ssh('echo "less=$LESSSECURE systemd=$SYSTEMD_PAGERSECURE"');
    expect(r.stdout.trim()).toBe('less=1 systemd=1');
  });
});
