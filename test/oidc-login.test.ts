/**
 * End to end against the real embedded oidc-provider on loopback: `bulwark serve` in dev mode,
 * the real `bulwark login` (device flow, auth code + PKCE, client credentials, external token),
 * the test playing the user at the provider's pages, then the real `ssh` logging in with the
 * issued certificate and the identity appearing in the session's log lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Browser, parseForms, playUser, type Page } from './support/browser.js';
import { BIN, runSsh, startBulwark, type Bulwark, type LogLine } from './support/bulwark.js';
import { tempDir } from './support/keys.js';
import { startLogin } from './support/login.js';

let b: Bulwark;
let dir: string;
let server: string;
let engineer: { email: string; password: string };
let agentSecret: string;

beforeAll(async () => {
  dir = tempDir('bulwark-oidc-');
  b = await startBulwark({ dir, configYaml: 'devIdp: { listen: "127.0.0.1:0" }\nissuer: { listen: "127.0.0.1:0" }\n' });
  server = String((await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'issuer'))['url']);
  const state = JSON.parse(readFileSync(join(dir, 'state', 'dev-idp.json'), 'utf8')) as { engineerPassword: string; agentSecret: string };
  engineer = { email: 'engineer@example.com', password: state.engineerPassword };
  agentSecret = state.agentSecret;
});

afterAll(async () => {
  await b?.stop();
});

/** The session.start line of the next session by `subject` after `from` log lines. */
async function sessionOf(subject: string, from: number): Promise<LogLine> {
  return b.waitForLog((l) => b.logs.indexOf(l) >= from && l.event === 'session.start' && l['subject'] === subject);
}

describe('human login, device authorization grant', () => {
  it('prints a URL and code, the user approves at the provider, ssh then works with the identity in the log', async () => {
    const home = tempDir('bulwark-home-');
    const login = startLogin(['--server', server], { cwd: home, env: { HOME: home } });
    const [, uri, code] = await login.waitFor(/open (http\S+) and enter the code (\S+)/);
    expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    // The user types the code at the verification page, signs in and consents.
    const browser = new Browser();
    const entry = await browser.request(uri as string);
    const form = parseForms(entry.html, entry.url)[0];
    expect(form?.fields).toHaveProperty('user_code');
    const afterCode = await browser.submit(form!, { user_code: code as string });
    const last = await playUserFrom(browser, afterCode);
    expect(last.html).toMatch(/success|signed in|you can close/i);
    const done = await login.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('engineer@example.com (human, groups engineers)');

    const dirOut = join(home, '.ssh', 'bulwark');
    expect(statSync(dirOut).mode & 0o777).toBe(0o700);
    expect(statSync(join(dirOut, 'id_ed25519')).mode & 0o777).toBe(0o600);
    const issued = await b.waitForLog((l) => l.event === 'cert.issued' && l['subject'] === 'engineer@example.com');
    expect(issued).toMatchObject({ kind: 'human', principals: ['deploy'], groups: ['engineers'], client: 'bulwark-cli', source: '127.0.0.1' });

    const from = b.logs.length;
    const r = await runSsh({ port: b.port, key: join(dirOut, 'id_ed25519'), cert: join(dirOut, 'id_ed25519-cert.pub'), command: 'echo via-device-flow' });
    expect(r.stdout).toBe('via-device-flow\n');
    const session = await sessionOf('engineer@example.com', from);
    expect(session).toMatchObject({ kind: 'human', groups: ['engineers'], principal: 'deploy', serial: issued['serial'] });

    // The written ssh_config (host key pinned, strict checking) is enough for ssh on its own.
    const viaConfig = spawnSync('ssh', ['-F', join(dirOut, 'ssh_config'), '-o', 'BatchMode=yes', 'bulwark', 'echo via-config'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HOME: home } });
    expect(viaConfig.stderr).not.toMatch(/Permanently added|REMOTE HOST/);
    expect(viaConfig.stdout).toBe('via-config\n');

    // Login again: the key and the still-fresh certificate are reused, nothing new is issued.
    const issuedBefore = b.logs.filter((l) => l.event === 'cert.issued').length;
    const again = await startLogin(['--server', server], { cwd: home, env: { HOME: home } }).done;
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/reusing it/);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.logs.filter((l) => l.event === 'cert.issued')).toHaveLength(issuedBefore);
  });
});

/** Continues as the user from `page` (after the code was entered): sign-in form, then consent. */
async function playUserFrom(browser: Browser, page: Page): Promise<Page> {
  let current = page;
  for (let i = 0; i < 8; i++) {
    const form = parseForms(current.html, current.url)[0];
    if (form === undefined) return current;
    const isLogin = form.inputs.some((x) => x.type === 'password');
    current = await browser.submit(form, isLogin ? engineer : {});
  }
  throw new Error(`stuck at ${current.url}`);
}

describe('human login, authorization code + PKCE with a loopback redirect', () => {
  it('the test acts as the browser; the certificate logs in', async () => {
    const home = tempDir('bulwark-home-');
    // A running ssh-agent: login loads the key and certificate into it.
    const agentSock = join(home, 'agent.sock');
    const sshAgent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 50));
    onTestFinished(() => void sshAgent.kill());
    const login = startLogin(['--server', server, '--browser', '--write-config'], { cwd: home, env: { HOME: home, SSH_AUTH_SOCK: agentSock } });
    const [, url] = await login.waitFor(/^\s+(http\S+\/auth\?\S+)$/m);
    const authUrl = new URL(url as string);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const browser = new Browser();
    const last = await playUser(browser, authUrl.href, engineer);
    expect(last.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(last.html).toContain('signed in');
    const done = await login.done;
    expect(done.code, done.stderr).toBe(0);
    const loaded = spawnSync('ssh-add', ['-L'], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    expect(loaded.stdout).toMatch(/^ssh-ed25519-cert-v01@openssh\.com AAAA/m);
    // --write-config: plain `ssh bulwark` works through ~/.ssh/config.
    expect(readFileSync(join(home, '.ssh', 'config'), 'utf8')).toContain(`Include ${join(home, '.ssh', 'bulwark', 'ssh_config')}`);
    const from = b.logs.length;
    // ssh reads ~/.ssh/config from the passwd entry, not $HOME, so name the test's file explicitly.
    const r = spawnSync('ssh', ['-F', join(home, '.ssh', 'config'), '-o', 'BatchMode=yes', 'bulwark', 'echo via-pkce'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HOME: home } });
    expect(r.stdout, r.stderr).toBe('via-pkce\n');
    expect(await sessionOf('engineer@example.com', from)).toMatchObject({ kind: 'human', groups: ['engineers'] });
  });

  it('a wrong password is refused at the provider and no certificate is issued', async () => {
    const home = tempDir('bulwark-home-');
    const login = startLogin(['--server', server, '--browser'], { cwd: home, env: { HOME: home } });
    const [, url] = await login.waitFor(/^\s+(http\S+\/auth\?\S+)$/m);
    const page = await playUser(new Browser(), url as string, { email: engineer.email, password: 'not-the-password' });
    expect(page.status).toBe(401);
    expect(page.html).toContain('Wrong email or password');
    login.proc.kill('SIGTERM');
    await login.done;
  });
});

describe('agent login', () => {
  it('client credentials: --json output, kind agent, identity in the session log', async () => {
    const home = tempDir('bulwark-agent-');
    const done = await startLogin(['--server', server, '--agent', '--client-id', 'bulwark-demo-agent', '--json', '--dir', join(home, 'creds')], {
      cwd: home,
      env: { HOME: home, BULWARK_CLIENT_SECRET: agentSecret },
    }).done;
    expect(done.code, done.stderr).toBe(0);
    const out = JSON.parse(done.stdout) as { certificate: string; key: string; validBefore: number; serial: string };
    expect(out.certificate).toBe(join(home, 'creds', 'id_ed25519-cert.pub'));
    // Agents get short certificates: 15 minutes by default.
    expect(out.validBefore - Date.now() / 1000).toBeLessThanOrEqual(15 * 60);
    const from = b.logs.length;
    const r = await runSsh({ port: b.port, key: out.key, cert: out.certificate, command: 'echo agent-here' });
    expect(r.stdout).toBe('agent-here\n');
    expect(await sessionOf('bulwark-demo-agent', from)).toMatchObject({ kind: 'agent', groups: ['agents'], serial: out.serial });
    // Below 10% of its life left, login renews: replace the certificate by a nearly expired one.
    const shortCert = spawnSync(process.execPath, [BIN, 'ca', 'sign', '--key-id', 'bulwark-demo-agent', '--principals', 'deploy', '--kind', 'agent', '--validity', '5s', `${out.key}.pub`], { cwd: dir, encoding: 'utf8' });
    expect(shortCert.status, shortCert.stderr).toBe(0);
    const renewed = await startLogin(['--server', server, '--agent', '--client-id', 'bulwark-demo-agent', '--json', '--dir', join(home, 'creds')], {
      cwd: home,
      env: { HOME: home, BULWARK_CLIENT_SECRET: agentSecret },
    }).done;
    expect(renewed.code, renewed.stderr).toBe(0);
    const again = JSON.parse(renewed.stdout) as { serial: string; key: string };
    expect(again.key).toBe(out.key);
    expect(again.serial).not.toBe(out.serial);
    expect(again.serial).not.toBe(String(JSON.parse(shortCert.stdout).serial));
    // Agents get no pty: only the permit-* extensions the identity needs.
    const pty = await runSsh({ port: b.port, key: out.key, cert: out.certificate, extra: ['-tt'], command: 'echo with-pty' });
    expect(pty.stdout).not.toContain('with-pty');
  });

  it('an externally issued token on stdin (--token-file -) is exchanged without prompts', async () => {
    const idp = String((await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'devIdp'))['url']);
    const res = await fetch(`${idp}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`bulwark-demo-agent:${agentSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const home = tempDir('bulwark-ci-');
    const done = await startLogin(['--server', server, '--agent', '--token-file', '-', '--json', '--dir', home], { cwd: home, env: { HOME: home }, input: `${token}\n` }).done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ key: join(home, 'id_ed25519') });
  });

  it('fails with a clear message and a non-zero exit when the secret is wrong or the server unreachable', async () => {
    const home = tempDir('bulwark-agent-');
    const bad = await startLogin(['--server', server, '--agent', '--client-id', 'bulwark-demo-agent', '--dir', home], { cwd: home, env: { BULWARK_CLIENT_SECRET: 'wrong' } }).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/client credentials login failed: invalid_client/);
    const down = await startLogin(['--server', 'http://127.0.0.1:9', '--agent', '--client-id', 'x', '--dir', home], { cwd: home, env: { BULWARK_CLIENT_SECRET: 's' } }).done;
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(/unreachable/);
  });
});
