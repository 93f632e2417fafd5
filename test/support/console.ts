/**
 * Helpers for the auditor console tests: `bulwark serve` in dev mode with the console on a free
 * port, sign-in through the embedded IdP with the scripted browser (plain HTTP tests) or real
 * headless Chromium (playwright-core with Debian's /usr/bin/chromium), and interactive ssh
 * sessions typed line by line with pauses so judged commands land at distinct times.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser as Chromium, type Page } from 'playwright-core';
import { Browser, playUser } from './browser.js';
import { sshArgs, startBulwark, type Bulwark } from './bulwark.js';
import { makeKey, signCert, tempDir } from './keys.js';

export interface Credentials {
  email: string;
  password: string;
}

export interface ConsoleBulwark {
  readonly b: Bulwark;
  readonly dir: string;
  readonly url: string;
  readonly auditor: Credentials;
  readonly engineer: Credentials;
  readonly recordings: string;
}

/** `consoleYaml`: the value of the `console` key (a free loopback port unless told otherwise). */
export async function startConsoleBulwark(consoleYaml = '{ listen: "127.0.0.1:0" }'): Promise<ConsoleBulwark> {
  const dir = tempDir('bulwark-console-');
  const b = await startBulwark({ dir, configYaml: `devIdp: { listen: "127.0.0.1:0" }\nissuer: { listen: "127.0.0.1:0" }\nconsole: ${consoleYaml}\n` });
  const url = String((await b.waitForLog((l) => l.event === 'web.start'))['url']);
  await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'issuer');
  const state = JSON.parse(readFileSync(join(dir, 'state', 'dev-idp.json'), 'utf8')) as { engineerPassword: string; auditorPassword: string };
  return {
    b, dir, url,
    auditor: { email: 'auditor@example.com', password: state.auditorPassword },
    engineer: { email: 'engineer@example.com', password: state.engineerPassword },
    recordings: join(dir, 'recordings'),
  };
}

export interface HttpSession {
  readonly browser: Browser;
  /** `name=value` of the console's session cookie, for hand-made requests. */
  readonly cookie: string;
  /** The Set-Cookie header lines of the sign-in callback, attributes included. */
  readonly setCookie: readonly string[];
}

/** Signs in with the scripted browser, watching the callback's Set-Cookie lines on the way. */
export async function httpLogin(url: string, who: Credentials): Promise<HttpSession> {
  const browser = new Browser();
  const realFetch = globalThis.fetch;
  let setCookie: string[] = [];
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    if (String(input).startsWith(`${url}/callback`)) setCookie = res.headers.getSetCookie();
    return res;
  };
  try {
    const last = await playUser(browser, `${url}/login`, who);
    if (!last.html.includes('Signed in as')) throw new Error(`sign-in did not finish: ${last.url} ${last.status}\n${last.html.slice(0, 300)}`);
  } finally {
    globalThis.fetch = realFetch;
  }
  const cookie = setCookie.map((l) => l.split(';')[0] as string).find((p) => p.startsWith('bulwark_console=')) ?? '';
  return { browser, cookie, setCookie };
}

/** A user certificate from the dev CA in state/user_ca. */
export function devCert(c: ConsoleBulwark, keyId: string, kind: 'human' | 'agent', groups: string): { key: string; cert: string } {
  const keys = tempDir('bulwark-console-keys-');
  const key = makeKey(keys, 'id');
  const cert = signCert(join(c.dir, 'state', 'user_ca'), key, { keyId, options: [`extension:kind@bulwark=${kind}`, `extension:groups@bulwark=${groups}`] });
  return { key, cert };
}

/** An interactive session (ssh -tt) typing each line after its pause (ms); resolves at exit. */
export function typeSession(port: number, key: string, cert: string, steps: readonly [number, string][], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', sshArgs({ port, key, cert, extra: ['-tt'] }), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.stdin.on('error', () => undefined);
    const t = setTimeout(() => (p.kill('SIGKILL'), reject(new Error(`session timed out:\n${out}`))), timeoutMs);
    p.on('close', () => (clearTimeout(t), resolve(out)));
    // Pauses count from the shell's first output (its prompt), not from the spawn: a slow
    // handshake must not eat into them.
    const ready = new Promise((r) => p.stdout.once('data', r));
    void (async () => {
      await ready;
      for (const [pause, line] of steps) {
        await new Promise((r) => setTimeout(r, pause));
        p.stdin.write(line);
      }
    })();
  });
}

export async function launchChromium(): Promise<Chromium> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Signs in through the dev IdP's real pages in Chromium: login form, then consent. */
export async function browserLogin(page: Page, url: string, who: Credentials, path = '/sessions'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((u) => u.href.startsWith(url) && u.pathname === path);
}
