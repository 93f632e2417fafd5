/**
 * Reviews in the console, end to end: an engineer's `find … -delete` over the real ssh client is held for
 * review and the client waits (BULWARK_WAIT=1); the demo auditor (an approver) sees the exact
 * command, intents, rule, requester and reason appear on the reviews page in Chromium without a
 * reload, approves it with a comment, and the waiting session runs it. Also: an approver cannot
 * decide without the CSRF token, and someone outside the approver group gets 403.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshArgs } from './support/bulwark.js';
import { browserLogin, devCert, httpLogin, launchChromium, startConsoleBulwark, type ConsoleBulwark } from './support/console.js';
import { screenshotPath } from './support/screenshots.js';

let c: ConsoleBulwark;
let chromium: Chromium;
let page: Page;

beforeAll(async () => {
  c = await startConsoleBulwark();
  chromium = await launchChromium();
  page = await chromium.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await chromium?.close();
  await c?.b.stop();
});

/** ssh exec with BULWARK_WAIT and BULWARK_REASON sent; resolves with the exit code and output. */
function waitingSsh(key: string, cert: string, command: string, reason: string): Promise<{ code: number | null; out: string }> {
  const args = sshArgs({ port: c.b.port, key, cert, command, extra: ['-o', 'SendEnv=BULWARK_WAIT', '-o', 'SendEnv=BULWARK_REASON'] });
  const p = spawn('ssh', args, { env: { ...process.env, BULWARK_WAIT: '1', BULWARK_REASON: reason }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out })));
}

describe('reviews page', () => {
  it('shows a held command as it arrives; approving it in Chromium lets the waiting session run it', async () => {
    await browserLogin(page, c.url, c.auditor, '/reviews');
    expect(await page.locator('#no-reviews').innerText()).toBe('No pending requests.');
    // The session's shell runs as an unprivileged account: give it a file it may delete.
    const dir = mkdtempSync('/tmp/bulwark-review-');
    chmodSync(dir, 0o777);
    const victim = join(dir, 'build.old');
    writeFileSync(victim, 'stale\n');
    const command = `find ${dir} -name '*.old' -delete`;
    const dev = devCert(c, 'dev@example.com', 'human', 'engineers');
    const session = waitingSsh(dev.key, dev.cert, command, 'ticket OPS-12: free disk');
    const requested = await c.b.waitForLog((l) => l.event === 'review.requested');
    const id = String(requested['id']);
    // No reload: the page learns of the request over its event stream.
    const card = page.locator(`#review-${id}`);
    await card.waitFor({ timeout: 10_000 });
    const text = await card.innerText();
    expect(text).toContain(command);
    expect(text).toMatch(/dev@example\.com \(human, engineers\)/);
    expect(text).toContain('ticket OPS-12: free disk');
    expect(text).toContain('humans.destroy');
    expect(text).toMatch(/destroy\.filesystem/);
    await page.screenshot({ path: screenshotPath('console-reviews.png'), fullPage: true });
    expect(existsSync(victim)).toBe(true);
    await card.getByLabel('Comment').fill('disk is full, go ahead');
    await card.getByRole('button', { name: 'Approve' }).click();
    const done = await session;
    expect(done.code, done.out).toBe(0);
    expect(existsSync(victim)).toBe(false);
    await expect.poll(() => page.locator(`#review-${id}`).count()).toBe(0);
    const decided = await c.b.waitForLog((l) => l.event === 'review.decided.web');
    expect(decided).toMatchObject({ subject: 'auditor@example.com', request: id, verdict: 'approve', comment: 'disk is full, go ahead', requester: 'dev@example.com' });
    expect(await page.getByRole('status').first().innerText()).toBe(`Approved ${id}`);
  });

  it('a decision without the CSRF token fails; an engineer outside the approvers gets 403', async () => {
    const dev = devCert(c, 'dev2@example.com', 'human', 'engineers');
    const session = waitingSsh(dev.key, dev.cert, `find /tmp/bulwark-review-none-${process.pid} -delete`, 'test');
    const id = String((await c.b.waitForLog((l) => l.event === 'review.requested' && l['requester'] === 'dev2@example.com'))['id']);
    const auditor = await httpLogin(c.url, c.auditor);
    const post = (cookie: string, headers: Record<string, string>, verdict = 'approve') =>
      fetch(`${c.url}/reviews/${id}/decide`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify({ verdict, comment: 'not now' }) });
    expect((await post(auditor.cookie, {})).status).toBe(403);
    expect((await post(auditor.cookie, { 'x-csrf-token': 'x'.repeat(43) })).status).toBe(403);
    const engineer = await httpLogin(c.url, c.engineer);
    const page403 = await engineer.browser.request(`${c.url}/reviews`);
    expect(page403.status).toBe(403);
    // With the token it goes through: deny it, and the waiting client ends with 77.
    const token = /name="csrf-token" content="([^"]+)"/.exec((await auditor.browser.request(`${c.url}/reviews`)).html)?.[1] as string;
    const denied = await post(auditor.cookie, { 'x-csrf-token': token }, 'deny');
    expect(denied.status).toBe(200);
    expect(await denied.json()).toEqual({ id, verdict: 'deny', status: 'denied' });
    const done = await session;
    expect(done.code, done.out).toBe(77);
  });
});
