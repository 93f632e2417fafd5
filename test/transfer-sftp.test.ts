/**
 * SFTP and scp through the real OpenSSH clients against `bulwark serve`: a human's uploads and
 * downloads arrive intact and are logged file by file (path, direction, bytes) and changes (rm,
 * rename, mkdir, rmdir) are logged; an agent's sftp, scp and legacy `scp -O` are refused with the
 * rule and nothing is written; garbage on the subsystem channel does not crash bulwark.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';

const dir = tempDir();
let b: Bulwark;
let human: { key: string; cert: string };
let agent: { key: string; cert: string };
// Where the target account (nobody when the tests run as root) may write.
const remote = mkdtempSync('/tmp/bulwark-transfer-');
chmodSync(remote, 0o777);

beforeAll(async () => {
  const ca = makeKey(dir, 'ca');
  const hk = makeKey(dir, 'human');
  human = { key: hk, cert: signCert(ca, hk, { keyId: 'ana@example.com', options: ['extension:kind@bulwark=human'] }) };
  const ak = makeKey(dir, 'agent');
  agent = { key: ak, cert: signCert(ca, ak, { keyId: 'ci-bot', options: ['extension:kind@bulwark=agent'] }) };
  b = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
});

afterAll(async () => {
  await b?.stop();
});

type Who = { key: string; cert: string };
const common = (who: Who) => ['-F', '/dev/null', '-i', who.key, '-o', `CertificateFile=${who.cert}`, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];

function run(cmd: string, args: string[], input: string | Buffer = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

const sftp = (who: Who, batch: string) => run('sftp', ['-b', '-', '-P', String(b.port), ...common(who), 'deploy@127.0.0.1'], batch);
const scp = (who: Who, ...args: string[]) => run('scp', ['-P', String(b.port), ...common(who), ...args]);

describe('SFTP for a human', () => {
  it('uploads and downloads intact, logging each file with its size, and logs rm/rename/mkdir/rmdir', async () => {
    const local = tempDir('bulwark-sftp-local-');
    const data = randomBytes(300_000);
    writeFileSync(join(local, 'up.bin'), data);
    const r = await sftp(
      human,
      [`put ${local}/up.bin ${remote}/up.bin`, `get ${remote}/up.bin ${local}/down.bin`, `rename ${remote}/up.bin ${remote}/moved.bin`, `mkdir ${remote}/d`, `rmdir ${remote}/d`, `rm ${remote}/moved.bin`].join('\n') + '\n',
    );
    expect(r.out).not.toMatch(/denied|refused/i);
    expect(r.code).toBe(0);
    expect(readFileSync(join(local, 'down.bin')).equals(data)).toBe(true);
    expect(existsSync(join(remote, 'moved.bin'))).toBe(false);

    const up = await b.waitForLog((l) => l.event === 'transfer.file' && l['path'] === `${remote}/up.bin` && l['direction'] === 'upload');
    expect(up).toMatchObject({ bytesWritten: 300_000, bytesRead: 0, bytes: 300_000, subject: 'ana@example.com', kind: 'human' });
    const down = await b.waitForLog((l) => l.event === 'transfer.file' && l['path'] === `${remote}/up.bin` && l['direction'] === 'download');
    expect(down).toMatchObject({ bytesRead: 300_000, bytesWritten: 0 });
    const op = (name: string, path: string) => b.waitForLog((l) => l.event === 'transfer.op' && l['op'] === name && l['path'] === path);
    expect(await op('rename', `${remote}/up.bin`)).toMatchObject({ to: `${remote}/moved.bin`, ok: true });
    expect(await op('mkdir', `${remote}/d`)).toMatchObject({ ok: true });
    expect(await op('rmdir', `${remote}/d`)).toMatchObject({ ok: true });
    expect(await op('remove', `${remote}/moved.bin`)).toMatchObject({ ok: true });
    const open = await b.waitForLog((l) => l.event === 'transfer.sftp.open');
    expect(open['rule']).toBe('access.human-transfer');
    const close = await b.waitForLog((l) => l.event === 'transfer.sftp.close' && l['recording'] === up['recording']);
    expect(close['files']).toBeGreaterThanOrEqual(2);

    // The channel's own recording carries the same transfer notes.
    const recDir = join(dir, 'recordings');
    const casts = readdirSync(recDir, { recursive: true }).map(String).filter((f) => f.endsWith('.cast') && f.includes(String(up['recording'])));
    expect(casts.length).toBe(1);
    const cast = readFileSync(join(recDir, casts[0] as string), 'utf8');
    expect(cast).toContain('transfer.file');
    expect(cast).toContain(`${remote}/up.bin`);
  });

  it('scp (SFTP mode) copies both ways and is logged', async () => {
    const local = tempDir('bulwark-scp-local-');
    const data = randomBytes(70_000);
    writeFileSync(join(local, 'a.bin'), data);
    const up = await scp(human, join(local, 'a.bin'), `deploy@127.0.0.1:${remote}/scp.bin`);
    expect(up.code).toBe(0);
    const down = await scp(human, `deploy@127.0.0.1:${remote}/scp.bin`, join(local, 'b.bin'));
    expect(down.code).toBe(0);
    expect(readFileSync(join(local, 'b.bin')).equals(data)).toBe(true);
    expect(await b.waitForLog((l) => l.event === 'transfer.file' && l['path'] === `${remote}/scp.bin` && l['direction'] === 'upload')).toMatchObject({ bytesWritten: 70_000 });
    expect(await b.waitForLog((l) => l.event === 'transfer.file' && l['path'] === `${remote}/scp.bin` && l['direction'] === 'download')).toMatchObject({ bytesRead: 70_000 });
  });
});

describe('SFTP for an agent', () => {
  it('refuses sftp and scp with the logged rule; nothing is written', async () => {
    const local = tempDir('bulwark-agent-local-');
    writeFileSync(join(local, 'x.bin'), 'agent data\n');
    const r = await sftp(agent, `put ${local}/x.bin ${remote}/agent-sftp.bin\n`);
    expect(r.code).not.toBe(0);
    const s = await scp(agent, join(local, 'x.bin'), `deploy@127.0.0.1:${remote}/agent-scp.bin`);
    expect(s.code).not.toBe(0);
    const legacy = await scp(agent, '-O', join(local, 'x.bin'), `deploy@127.0.0.1:${remote}/agent-legacy.bin`);
    expect(legacy.code).not.toBe(0);
    for (const f of ['agent-sftp.bin', 'agent-scp.bin', 'agent-legacy.bin']) expect(existsSync(join(remote, f))).toBe(false);

    const refused = b.logs.filter((l) => l.event === 'session.refused' && l['request'] === 'sftp' && l['subject'] === 'ci-bot');
    expect(refused.length).toBe(2);
    for (const l of refused) {
      expect(l['rule']).toBe('access.agent-transfer');
      expect(String(l['reason'])).toContain('AI agents may not open SFTP sessions');
    }
    const judged = await b.waitForLog((l) => l.event === 'command.judged' && l['subject'] === 'ci-bot' && String(l['line']).startsWith('scp '));
    expect(judged).toMatchObject({ verdict: 'deny', rule: 'agents.no-interactive' });
    expect(b.logs.some((l) => l.event === 'transfer.sftp.open' && l['subject'] === 'ci-bot')).toBe(false);
  });
});

describe('hostile SFTP bytes', () => {
  it('garbage on the subsystem channel is logged, the channel closed, and bulwark keeps serving', async () => {
    // Well-framed packets with random bodies (ids and handles that mean nothing), then a length
    // no SFTP packet may have.
    const framed = Array.from({ length: 50 }, () => {
      const body = randomBytes(1 + Math.floor(Math.random() * 200));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, body]);
    });
    const garbage = Buffer.concat([...framed, Buffer.from([0x7f, 0xff, 0xff, 0xff]), randomBytes(100_000)]);
    const r = await run('ssh', ['-p', String(b.port), ...common(human), '-s', 'deploy@127.0.0.1', 'sftp'], garbage);
    expect(r.code).not.toBeNull();
    const g = await b.waitForLog((l) => l.event === 'transfer.sftp.garbled');
    expect(String(g['reason'])).toMatch(/packet length|requests unanswered|reply without an id|request without an id/);
    expect(b.proc.exitCode).toBeNull();
    const again = await runSsh({ port: b.port, ...human, command: 'echo still-here' });
    expect(again.stdout).toBe('still-here\n');
    // And sftp still works for the next client.
    const ok = await sftp(human, `ls ${remote}\n`);
    expect(ok.code).toBe(0);
  });
});
