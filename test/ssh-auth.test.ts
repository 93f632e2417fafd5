/**
 * Every way a login must fail, through the real ssh client: each refused, and each refusal logged
 * with its reason code. Also the transfer refusals for a certificate without kind@bulwark (treated
 * as an agent): SFTP and port forwarding are refused by policy with the rule logged (humans are
 * allowed: test/transfer-*.test.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, sshArgs, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir, type CertOptions } from './support/keys.js';

const dir = tempDir();
let b: Bulwark;
let ca: string;
const krl = join(dir, 'revoked.krl');
let n = 0;

beforeAll(async () => {
  ca = makeKey(dir, 'ca');
  // A KRL revoking serial 666, given to bulwark at start.
  writeFileSync(join(dir, 'krl.spec'), 'serial: 666\n');
  execFileSync('ssh-keygen', ['-q', '-k', '-f', krl, '-s', `${ca}.pub`, join(dir, 'krl.spec')]);
  b = await startBulwark({
    dir,
    configYaml: `userCa: [${ca}.pub]\nrevocationList: ${krl}\nauthRateLimit: { maxFailures: 1000, windowSeconds: 60 }\n`,
  });
});

afterAll(async () => {
  await b?.stop();
});

/** A fresh user key, certified with `opts` by `signer` (default: the trusted CA). */
function certified(opts: CertOptions, signer = ca): { key: string; cert: string; keyId: string } {
  const key = makeKey(dir, `u${++n}`);
  const keyId = opts.keyId ?? `case-${n}@example.com`;
  return { key, keyId, cert: signCert(signer, key, { ...opts, keyId }) };
}

async function expectRefused(k: { key: string; cert?: string }, code: string, user = 'deploy') {
  const r = await runSsh({ port: b.port, key: k.key, cert: k.cert, user, command: 'echo SHOULD-NOT-RUN' });
  expect(r.code).toBe(255);
  expect(r.stdout).not.toContain('SHOULD-NOT-RUN');
  expect(r.stderr).toContain('Permission denied');
  const line = await b.waitForLog((l) => l.event === 'auth.failure' && l['code'] === code);
  expect(String(line['reason']).length).toBeGreaterThan(5);
}

describe('refused logins (negative matrix)', () => {
  it('accepts the control case', async () => {
    const r = await runSsh({ port: b.port, ...certified({}), command: 'echo ok' });
    expect(r.stdout).toBe('ok\n');
  });
  it('expired', () => expectRefused(certified({ validity: '-3h:-2h' }), 'AUTH_CERT_EXPIRED'));
  it('not yet valid', () => expectRefused(certified({ validity: '+2h:+3h' }), 'AUTH_CERT_NOT_YET_VALID'));
  it('signed by an untrusted CA', () => expectRefused(certified({}, makeKey(dir, 'rogue-ca')), 'AUTH_CA_UNTRUSTED'));
  // OpenSSH's client will not offer a host certificate or one whose CA signature is broken (it
  // checks on load); it falls back to the bare key, which bulwark refuses. bulwark's own checks
  // for these (AUTH_NOT_USER_CERT, AUTH_CA_SIGNATURE_INVALID) are tested in src/auth.
  it('a host certificate used as a user certificate', () => expectRefused(certified({ host: true }), 'AUTH_PLAIN_KEY'));
  it('principal mismatch', () => expectRefused(certified({ principals: ['someone-else'] }), 'AUTH_PRINCIPAL_MISMATCH'));
  it('empty principals (valid for anyone in OpenSSH) are refused', () => expectRefused(certified({ principals: [] }), 'AUTH_NO_PRINCIPALS'));
  it('source-address that does not include the client', () =>
    expectRefused(certified({ options: ['source-address=192.0.2.0/24'] }), 'AUTH_SOURCE_ADDRESS_DENIED'));
  it('an unknown critical option', () =>
    expectRefused(certified({ options: ['critical:require-blessing@example.com=yes'] }), 'AUTH_UNKNOWN_CRITICAL_OPTION'));
  it('a bogus kind@bulwark', () => expectRefused(certified({ options: ['extension:kind@bulwark=root'] }), 'AUTH_BAD_KIND'));
  it('a revoked serial (KRL)', () => expectRefused(certified({ serial: 666 }), 'AUTH_CERT_REVOKED'));
  it('tampered certificate bytes', async () => {
    const k = certified({ keyId: 'tamper-me@example.com' });
    const [type, b64, comment] = readFileSync(k.cert, 'utf8').trim().split(' ');
    const blob = Buffer.from(b64 as string, 'base64');
    const at = blob.indexOf(Buffer.from('tamper-me'));
    blob[at] = 'T'.charCodeAt(0); // the key id now says Tamper-me; the CA never signed that
    writeFileSync(k.cert, `${type} ${blob.toString('base64')} ${comment ?? ''}\n`);
    await expectRefused(k, 'AUTH_PLAIN_KEY');
  });
  it('a plain key without a certificate', () => expectRefused({ key: makeKey(dir, 'plain') }, 'AUTH_PLAIN_KEY'));
  it('a source address that matches is accepted', async () => {
    const r = await runSsh({ port: b.port, ...certified({ options: ['source-address=127.0.0.0/8,::1/128'] }), command: 'echo in-range' });
    expect(r.stdout).toBe('in-range\n');
  });
});

describe('certificate options and refused channels', () => {
  it('honours force-command and exposes the original command', async () => {
    const r = await runSsh({ port: b.port, ...certified({ options: ['force-command=echo forced:$SSH_ORIGINAL_COMMAND'] }), command: 'rm -rf /tmp/x' });
    expect(r.stdout).toBe('forced:rm -rf /tmp/x\n');
  });

  it('refuses a PTY without permit-pty', async () => {
    const r = await runSsh({ port: b.port, ...certified({ options: ['no-pty'] }), command: 'tty', extra: ['-tt'] });
    expect(r.stdout).not.toMatch(/\/dev\/pts/);
    await b.waitForLog((l) => l.event === 'session.refused' && l['request'] === 'pty-req');
  });

  it('refuses port forwarding, agent forwarding and SFTP to an agent with the logged rule', async () => {
    const k = certified({}); // no kind@bulwark: the stricter agent
    const fwd = await runSsh({ port: b.port, ...k, command: 'echo fwd', extra: ['-W', '127.0.0.1:22'] });
    expect(fwd.code).not.toBe(0);
    const refusedFwd = await b.waitForLog((l) => l.event === 'session.refused' && l['request'] === 'direct-tcpip' && l['subject'] === k.keyId);
    expect(refusedFwd['rule']).toBe('access.agent-transfer');
    // Agent forwarding needs an agent to forward: a throwaway one, handed over by socket path.
    const sock = join(dir, `agent-${n}.sock`);
    const sshAgent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      // Not runSsh: its IdentityAgent=none also turns agent forwarding off.
      const args = sshArgs({ port: b.port, ...k, command: 'echo agent-fwd', extra: ['-A'] });
      args.splice(args.indexOf('IdentityAgent=none') - 1, 2);
      const out = await new Promise<string>((resolve) => {
        const p = spawn('ssh', args, { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: ['ignore', 'pipe', 'ignore'] });
        let o = '';
        p.stdout.on('data', (d: Buffer) => (o += d.toString()));
        p.on('close', () => resolve(o));
      });
      expect(out).toBe('agent-fwd\n');
      await b.waitForLog((l) => l.event === 'session.refused' && l['request'] === 'auth-agent' && l['subject'] === k.keyId);
    } finally {
      sshAgent.kill();
    }
    const sftp = await new Promise<number | null>((resolve) => {
      const p = execFileAsync('sftp', ['-b', '-', '-P', String(b.port), '-i', k.key, '-o', `CertificateFile=${k.cert}`, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', 'deploy@127.0.0.1'], 'ls\n');
      void p.then(resolve);
    });
    expect(sftp).not.toBe(0);
    const refused = await b.waitForLog((l) => l.event === 'session.refused' && l['request'] === 'sftp' && l['subject'] === k.keyId);
    expect(refused['rule']).toBe('access.agent-transfer');
    expect(String(refused['reason'])).toContain('AI agents may not open SFTP sessions');
  });
});

describe('hostile transport', () => {
  it('survives garbage, a client that vanishes mid-handshake, and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(b.port, '127.0.0.1', () => {
        s.write('SSH-2.0-evil\r\n');
        s.write(Buffer.alloc(5000, 0xff));
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 2000);
    });
    await new Promise<void>((resolve) => {
      const s = connect(b.port, '127.0.0.1', () => {
        s.write('SSH-2.0-OpenSSH_9.2\r\n');
        s.destroy();
        resolve();
      });
    });
    const r = await runSsh({ port: b.port, ...certified({}), command: 'echo still-here' });
    expect(r.stdout).toBe('still-here\n');
    expect(b.proc.exitCode).toBeNull();
  });
});

function execFileAsync(cmd: string, args: string[], input: string): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    p.on('close', (code: number | null) => resolve(code));
    p.stdin.end(input);
  });
}
