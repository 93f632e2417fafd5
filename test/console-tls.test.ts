/**
 * The console over HTTPS (console.tlsCert/tlsKey) in real Chromium: sign-in through the dev IdP
 * with the console's https callback, and a session cookie that is Secure with the __Host- prefix,
 * HttpOnly and SameSite=Strict. And the configuration refuses plain HTTP off loopback.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../src/config/index.js';
import { launchChromium, startConsoleBulwark, type ConsoleBulwark } from './support/console.js';
import { tempDir } from './support/keys.js';

let c: ConsoleBulwark;
let chromium: Chromium;

beforeAll(async () => {
  const dir = tempDir('bulwark-console-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=bulwark console test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'pipe' });
  c = await startConsoleBulwark(`{ listen: "127.0.0.1:0", tlsCert: ${join(dir, 'tls.crt')}, tlsKey: ${join(dir, 'tls.key')} }`);
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await c?.b.stop();
});

const configError = (input: unknown): string => {
  try {
    buildConfig(input as never, { source: 'test.yaml', baseDir: '/srv/bulwark' });
    return 'accepted';
  } catch (e) {
    return e instanceof ConfigError ? e.message : String(e);
  }
};

describe('console over HTTPS', () => {
  it('signs in and holds a Secure __Host- cookie, HttpOnly and SameSite=Strict', async () => {
    expect(c.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The test's certificate is self-signed; trusting it is the browser's business, not ours.
    const context = await chromium.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${c.url}/sessions`);
    await page.getByLabel('Email').fill(c.auditor.email);
    await page.getByLabel('Password').fill(c.auditor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${c.url}/sessions`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sessions');
    const cookies = (await context.cookies(c.url)).filter((k) => k.name.includes('bulwark_console'));
    expect(cookies.map((k) => ({ name: k.name, secure: k.secure, httpOnly: k.httpOnly, sameSite: k.sameSite, path: k.path }))).toEqual([
      { name: '__Host-bulwark_console', secure: true, httpOnly: true, sameSite: 'Strict', path: '/' },
    ]);
    await context.close();
  });

  it('refuses plain HTTP for the console anywhere but loopback', () => {
    expect(configError({ console: { listen: '0.0.0.0:8423' } })).toMatch(/console\.listen: plain HTTP only on loopback/);
    expect(configError({ console: { listen: '0.0.0.0:8423', tlsCert: 'c.pem', tlsKey: 'k.pem' } })).toBe('accepted');
    expect(configError({ console: { tlsCert: 'c.pem' } })).toMatch(/console\.tlsKey: set both/);
    expect(configError({ console: { idleTimeout: 'half an hour' } })).toMatch(/console\.idleTimeout: a duration/);
  });
});
