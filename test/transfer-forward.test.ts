/**
 * Port forwarding through the real `ssh -L` / `-W` / `-R` against `bulwark serve`: a human's local
 * forward reaches a loopback echo server and the bytes come back, logged at open and close with
 * byte counts; an agent's forward is refused by policy; a certificate without
 * permit-port-forwarding is refused even for a human; remote forwarding is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshArgs, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';

const dir = tempDir();
let b: Bulwark;
let echo: Server;
let echoPort: number;
type Who = { key: string; cert: string };
let human: Who;
let agent: Who;
let noForward: Who;

beforeAll(async () => {
  const ca = makeKey(dir, 'ca');
  const cert = (name: string, keyId: string, options: string[]): Who => {
    const key = makeKey(dir, name);
    return { key, cert: signCert(ca, key, { keyId, options }) };
  };
  human = cert('human', 'ana@example.com', ['extension:kind@bulwark=human']);
  agent = cert('agent', 'ci-bot', ['extension:kind@bulwark=agent']);
  noForward = cert('nofwd', 'bo@example.com', ['extension:kind@bulwark=human', 'no-port-forwarding']);
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  b = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
});

afterAll(async () => {
  await b?.stop();
  echo?.close();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts `ssh -N -L` and waits until its local listener accepts. */
async function forwardL(who: Who): Promise<{ port: number; ssh: ChildProcess }> {
  const port = await freePort();
  const ssh = spawn('ssh', sshArgs({ port: b.port, ...who, extra: ['-N', '-L', `127.0.0.1:${port}:127.0.0.1:${echoPort}`] }), { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (up) return { port, ssh };
    await new Promise((r) => setTimeout(r, 100));
  }
  ssh.kill();
  throw new Error('ssh -L never listened');
}

/** Sends `data` through the local port; resolves with whatever came back before the close. */
function roundTrip(port: number, data: string, expectBytes: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const c = connect(port, '127.0.0.1', () => c.write(data));
    c.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= expectBytes) c.end();
    });
    c.on('error', () => resolve(got));
    c.on('close', () => resolve(got));
    setTimeout(() => c.destroy(), 5000);
  });
}

function runSshRaw(who: Who, extra: string[], input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ssh', sshArgs({ port: b.port, ...who, extra }), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('close', (code) => (clearTimeout(t), resolve({ code, out })));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

describe('local port forwarding', () => {
  it('forwards a human to a loopback echo server and logs open and close with byte counts', async () => {
    const { port, ssh } = await forwardL(human);
    try {
      const msg = 'ping through the bastion\n'.repeat(1000);
      const back = await roundTrip(port, msg, msg.length);
      expect(back).toBe(msg);
      const destination = `127.0.0.1:${echoPort}`;
      const open = await b.waitForLog((l) => l.event === 'transfer.forward.open' && l['destination'] === destination && l['subject'] === 'ana@example.com');
      expect(open['rule']).toBe('access.human-transfer');
      expect(String(open['originator'])).toMatch(/^127\.0\.0\.1:\d+$/);
      const close = await b.waitForLog((l) => l.event === 'transfer.forward.close' && l['destination'] === destination && l['bytesToClient'] === msg.length);
      expect(close['bytesToDestination']).toBe(msg.length);
      expect(typeof close['durationMs']).toBe('number');
    } finally {
      ssh.kill();
    }
  });

  it("refuses an agent's -L with the policy's rule; no bytes come back", async () => {
    const { port, ssh } = await forwardL(agent);
    try {
      expect(await roundTrip(port, 'agent ping\n', 11)).toBe('');
      const l = await b.waitForLog((x) => x.event === 'session.refused' && x['request'] === 'direct-tcpip' && x['subject'] === 'ci-bot');
      expect(l['rule']).toBe('access.agent-transfer');
      expect(l['destination']).toBe(`127.0.0.1:${echoPort}`);
      expect(b.logs.some((x) => x.event === 'transfer.forward.open' && x['subject'] === 'ci-bot')).toBe(false);
    } finally {
      ssh.kill();
    }
  });

  it('refuses a human whose certificate lacks permit-port-forwarding', async () => {
    const r = await runSshRaw(noForward, ['-W', `127.0.0.1:${echoPort}`], 'hello\n');
    expect(r.code).not.toBe(0);
    expect(r.out).not.toContain('hello');
    const l = await b.waitForLog((x) => x.event === 'session.refused' && x['request'] === 'direct-tcpip' && x['subject'] === 'bo@example.com');
    expect(String(l['reason'])).toContain('permit-port-forwarding');
  });

  it('refuses remote forwarding (-R) for a human', async () => {
    const r = await runSshRaw(human, ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:0:127.0.0.1:${echoPort}`]);
    expect(r.code).toBe(255);
    const l = await b.waitForLog((x) => x.event === 'session.refused' && x['request'] === 'tcpip-forward' && x['subject'] === 'ana@example.com');
    expect(String(l['msg'])).toContain('not allowed');
  });
});
