/**
 * `bulwark serve` as an operator meets it: first start with no flags, the printed login commands
 * pasted as they are, configuration errors, revocation reloads, rate limiting and SIGTERM.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Browser, parseForms } from './support/browser.js';
import { BIN, runSsh, sshArgs, startBulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';

describe('first start with embedded defaults', () => {
  it('creates its state and prints login commands that work when pasted', async () => {
    const dir = tempDir();
    const b = await startBulwark({ dir });
    try {
      expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'state', 'host_ed25519_key')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(dir, 'state', 'user_ca.pub'))).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const banner = b.stderr();
      expect(banner).toMatch(/host key SHA256:[A-Za-z0-9+/]{43}/);
      const commands = banner.split('\n').filter((l) => /^\s+ssh(-keygen)? .*demo-key/.test(l)).map((l) => l.trim());
      expect(commands).toHaveLength(3);
      // Paste them in a shell, as a newcomer would, with the remote command appended to the last.
      const script = [...commands.slice(0, 2), `${commands[2]} -o BatchMode=yes 'echo logged-in as $(id -un); exit 3'`].join('\n');
      const r = spawnSync('bash', ['-e', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout).toMatch(/^logged-in as \S+/m);
      expect(r.status).toBe(3);
      // The printed known_hosts pins the host key: strict checking succeeds.
      expect(r.stderr).not.toMatch(/Permanently added|REMOTE HOST IDENTIFICATION/);
    } finally {
      await b.stop();
    }
  });

  it('README quick start: the banner\'s `bulwark login` against the embedded IdP, then its ssh line, work as pasted', async () => {
    // What `npm start` runs, except that the IdP and issuing endpoint take free ports instead of
    // 8421/8422 (other bulwarks may run on this host); the banner prints whichever it got.
    const dir = tempDir();
    const b = await startBulwark({ dir, configYaml: 'devIdp: { listen: "127.0.0.1:0" }\nissuer: { listen: "127.0.0.1:0" }\n' });
    try {
      await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'issuer');
      await new Promise((r) => setTimeout(r, 300));
      const banner = b.stderr();
      const password = /engineer@example\.com\s+password: (\S+)/.exec(banner)?.[1];
      expect(password).toBeDefined();
      const after = banner.slice(banner.indexOf('To log in as the demo engineer'));
      const [loginLine, sshLine] = after.split('\n').filter((l) => /^\s+(node \S+ login|ssh) /.test(l)).map((l) => l.trim());
      expect(loginLine).toMatch(/ login --server http:\/\/127\.0\.0\.1:\d+$/);
      // A newcomer's shell: HOME is theirs, no ssh-agent; the pasted login waits for the browser.
      const env = { ...process.env, HOME: dir, SSH_AUTH_SOCK: '' };
      const login = spawn('bash', ['-e', '-c', loginLine as string], { cwd: dir, env });
      let out = '';
      login.stdout.on('data', (d: Buffer) => (out += d.toString()));
      login.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => login.on('close', r));
      let m: RegExpMatchArray | null = null;
      for (let i = 0; i < 100 && m === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        m = /open (http\S+) and enter the code (\S+)/.exec(out);
      }
      expect(m, out).not.toBeNull();
      // The newcomer opens the URL, enters the code, signs in with the printed password, consents.
      const browser = new Browser();
      const entry = await browser.request(m![1] as string);
      const page = await browser.submit(parseForms(entry.html, entry.url)[0]!, { user_code: m![2] as string });
      let current = page;
      for (let i = 0; i < 6 && parseForms(current.html, current.url).length > 0; i++) {
        const form = parseForms(current.html, current.url)[0]!;
        current = await browser.submit(form, form.inputs.some((x) => x.type === 'password') ? { email: 'engineer@example.com', password: password! } : {});
      }
      expect(await exited, out).toBe(0);
      const r = spawnSync('bash', ['-e', '-c', `${sshLine} -o BatchMode=yes 'echo logged-in as $(id -un); exit 3'`], { cwd: dir, env, encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout, r.stderr).toMatch(/^logged-in as \S+/m);
      expect(r.status).toBe(3);
      expect(r.stderr).not.toMatch(/Permanently added|REMOTE HOST IDENTIFICATION/);
      await b.waitForLog((l) => l.event === 'session.start' && l['subject'] === 'engineer@example.com' && l['kind'] === 'human');
    } finally {
      await b.stop();
    }
  });
});

describe('configuration errors', () => {
  it('stops at startup naming the bad key, with exit status 78', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'listen: 127.0.0.1:2222\nclockSkewSeconds: -5\nrecordingz: /tmp\n');
    const r = spawnSync(process.execPath, [BIN, 'serve', '--config', join(dir, 'bad.yaml')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('clockSkewSeconds');
    expect(r.stderr).toContain('recordingz');
    expect(r.stderr).toContain(join(dir, 'bad.yaml'));
  });

  it('names a broken CA file and line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pub'), '# trusted\nssh-ed25519 not-base64!!\n');
    const r = spawnSync(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--user-ca', join(dir, 'ca.pub')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`${join(dir, 'ca.pub')}:2:`);
  });
});

describe('revocation and rate limiting', () => {
  it('picks up a revocation list change without a restart', async () => {
    const dir = tempDir();
    const ca = makeKey(dir, 'ca');
    const key = makeKey(dir, 'user');
    const cert = signCert(ca, key, { keyId: 'mallory@example.com', serial: 77 });
    const list = join(dir, 'deny.txt');
    writeFileSync(list, '# nothing revoked yet\n');
    const b = await startBulwark({ dir, configYaml: `userCa: [${ca}.pub]\nrevocationList: ${list}\n` });
    try {
      expect((await runSsh({ port: b.port, key, cert, command: 'echo before' })).stdout).toBe('before\n');
      writeFileSync(`${list}.tmp`, 'key-id:mallory@example.com\n');
      execFileSync('mv', [`${list}.tmp`, list]);
      let refused = false;
      for (let i = 0; i < 40 && !refused; i++) {
        await new Promise((r) => setTimeout(r, 250));
        refused = (await runSsh({ port: b.port, key, cert, command: 'echo after' })).code === 255;
      }
      expect(refused).toBe(true);
      await b.waitForLog((l) => l.event === 'auth.failure' && l['code'] === 'AUTH_CERT_REVOKED');
    } finally {
      await b.stop();
    }
  });

  it('blocks a source address after repeated failures, even with a valid certificate', async () => {
    const dir = tempDir();
    const ca = makeKey(dir, 'ca');
    const good = makeKey(dir, 'good');
    const goodCert = signCert(ca, good);
    const bad = makeKey(dir, 'bad');
    const badCert = signCert(ca, bad, { principals: ['not-deploy'] });
    const b = await startBulwark({ dir, configYaml: `userCa: [${ca}.pub]\nauthRateLimit: { maxFailures: 3, windowSeconds: 60 }\n` });
    try {
      for (let i = 0; i < 3; i++) expect((await runSsh({ port: b.port, key: bad, cert: badCert, command: 'true' })).code).toBe(255);
      const r = await runSsh({ port: b.port, key: good, cert: goodCert, command: 'echo should-not-run' });
      expect(r.code).toBe(255);
      expect(r.stdout).toBe('');
      await b.waitForLog((l) => l.event === 'auth.ratelimited');
    } finally {
      await b.stop();
    }
  });
});

describe('shutdown', () => {
  it('on SIGTERM stops accepting, tells open sessions, and exits when they end', async () => {
    const dir = tempDir();
    const ca = makeKey(dir, 'ca');
    const key = makeKey(dir, 'user');
    const cert = signCert(ca, key);
    const b = await startBulwark({ dir, configYaml: `userCa: [${ca}.pub]\nshutdownGraceSeconds: 2\n` });
    const running = runSsh({ port: b.port, key, cert, command: 'sleep 30; echo finished', timeoutMs: 20_000 });
    await b.waitForLog((l) => l.event === 'session.start');
    const t0 = Date.now();
    b.proc.kill('SIGTERM');
    const r = await running;
    expect(r.stderr).toContain('bulwark is shutting down');
    expect(r.stdout).not.toContain('finished');
    expect(await b.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await b.waitForLog((l) => l.event === 'server.stop');
    const refused = spawnSync('ssh', [...sshArgs({ port: b.port, key, cert }), 'true'], { timeout: 10_000 });
    expect(refused.status).toBe(255);
  });
});

describe('retention', () => {
  it('removes recordings past the configured age at startup, logs each, and keeps legal holds', async () => {
    const dir = tempDir();
    const rec = join(dir, 'recordings');
    mkdirSync(rec);
    const old = '20200101T000000Z-0a0a0a0a';
    const held = '20200101T000000Z-0b0b0b0b';
    const fresh = '20990101T000000Z-0c0c0c0c';
    const longAgo = new Date('2020-01-02T00:00:00Z');
    for (const id of [old, held, fresh]) {
      writeFileSync(join(rec, `${id}.cast`), '{"version":2,"width":80,"height":24}\n');
      if (id !== fresh) utimesSync(join(rec, `${id}.cast`), longAgo, longAgo);
    }
    const b = await startBulwark({ dir, configYaml: `retention:\n  maxAgeDays: 30\n  legalHold: [${held}]\n` });
    try {
      const line = await b.waitForLog((l) => l.event === 'recording.removed');
      expect(line['id']).toBe(old);
      expect(existsSync(join(rec, `${old}.cast`))).toBe(false);
      expect(existsSync(join(rec, `${held}.cast`))).toBe(true);
      expect(existsSync(join(rec, `${fresh}.cast`))).toBe(true);
      expect(b.logs.filter((l) => l.event === 'recording.removed')).toHaveLength(1);
    } finally {
      await b.stop();
    }
  });
});
