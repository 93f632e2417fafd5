/**
 * The auditor console in real headless Chromium against the real `bulwark serve`, the real dev
 * IdP and recordings made by the real ssh client: sign in through the provider's pages, filter
 * the list, open a recording, click a denied command in the timeline and see the player move
 * there, see a tampered recording flagged. Saves a screenshot of each page (docs/screenshots/ with
 * BULWARK_UPDATE_SCREENSHOTS=1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh } from './support/bulwark.js';
import { browserLogin, devCert, launchChromium, startConsoleBulwark, typeSession, type ConsoleBulwark } from './support/console.js';
import { screenshotPath } from './support/screenshots.js';

let c: ConsoleBulwark;
let chromium: Chromium;
let page: Page;
const ids: Record<string, string> = {};

async function recordingOf(subject: string): Promise<string> {
  const start = await c.b.waitForLog((l) => l.event === 'session.start' && l['subject'] === subject);
  await c.b.waitForLog((l) => l.event === 'session.end' && l['subject'] === subject);
  return String(start['recording']);
}

beforeAll(async () => {
  c = await startConsoleBulwark();
  const human = devCert(c, 'dev@example.com', 'human', 'engineers');
  // Typed with pauses so the denied command lands seconds into the recording; a denied line
  // stays in the editor for fixing, so Ctrl-U clears it before the next one.
  const out = await typeSession(c.b.port, human.key, human.cert, [[800, 'echo one\r'], [1500, 'echo two\r'], [1500, 'history -c\r'], [1200, '\u0015echo three\r'], [800, 'exit\r']]);
  expect(out).toContain('three');
  ids['human'] = await recordingOf('dev@example.com');
  const agent = devCert(c, 'bot-7', 'agent', 'agents');
  expect((await runSsh({ port: c.b.port, key: agent.key, cert: agent.cert, command: 'echo agent-run' })).stdout).toBe('agent-run\n');
  ids['agent'] = await recordingOf('bot-7');
  const victim = devCert(c, 'victim@example.com', 'human', 'engineers');
  expect((await runSsh({ port: c.b.port, key: victim.key, cert: victim.cert, command: 'echo evidence-of-deed' })).stdout).toBe('evidence-of-deed\n');
  ids['victim'] = await recordingOf('victim@example.com');
  chromium = await launchChromium();
  page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await chromium?.close();
  await c?.b.stop();
});

const rows = () => page.locator('table.sessions tbody tr[data-id]');

describe('auditor console in Chromium', () => {
  it('signs in through the embedded OIDC provider and lists every session with who, where and integrity', async () => {
    await browserLogin(page, c.url, c.auditor);
    await expect.poll(() => rows().count()).toBe(3);
    const human = page.locator(`tr[data-id="${ids['human']}"]`);
    await expect.poll(() => human.innerText()).toMatch(/dev@example\.com\s+human/);
    const cells = await human.locator('td').allInnerTexts();
    expect(cells[1]).toMatch(/^local as deploy from 127\.0\.0\.1/);
    expect(Number(cells[4])).toBeGreaterThanOrEqual(5);
    expect(cells[5]).toBe('1');
    expect(cells[6]).toBe('sealed');
    await page.screenshot({ path: screenshotPath('console-sessions.png'), fullPage: true });
  });

  it('filters by text in commands, by kind and by decision, and sorts', async () => {
    await page.getByLabel('Command contains').fill('history');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/text=history/);
    expect(await rows().evaluateAll((r) => r.map((x) => x.getAttribute('data-id')))).toEqual([ids['human']]);
    await page.goto(`${c.url}/sessions`);
    await page.getByLabel('Kind').selectOption('agent');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/kind=agent/);
    expect(await rows().evaluateAll((r) => r.map((x) => x.getAttribute('data-id')))).toEqual([ids['agent']]);
    await page.goto(`${c.url}/sessions?decision=deny`);
    expect(await rows().count()).toBe(1);
    await page.goto(`${c.url}/sessions`);
    await page.getByRole('link', { name: /^Who/ }).click();
    await page.waitForURL(/sort=subject/);
    const subjects = await page.locator('table.sessions tbody tr td:first-child a').allInnerTexts();
    expect(subjects).toEqual([...subjects].sort().reverse());
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
  });

  it('plays a recording; clicking the denied command in the timeline seeks the player to it', async () => {
    await page.goto(`${c.url}/sessions`);
    await page.locator(`tr[data-id="${ids['human']}"] a`).click();
    await page.waitForURL(new RegExp(`/recordings/${ids['human']}$`));
    await page.waitForFunction(() => (globalThis as unknown as { bulwarkPlayer?: { getDuration(): number | undefined } }).bulwarkPlayer?.getDuration() !== undefined);
    const timeline = page.locator('.timeline button');
    expect(await timeline.count()).toBeGreaterThanOrEqual(5);
    const denied = page.locator('.timeline li.verdict-deny button');
    expect(await denied.count()).toBe(1);
    expect(await denied.textContent()).toMatch(/deny[\s\S]*history -c[\s\S]*humans\.audit-tamper/);
    const t = Number(await denied.getAttribute('data-t'));
    expect(t).toBeGreaterThan(2.5);
    await denied.click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { bulwarkPlayer: { getCurrentTime(): number } }).bulwarkPlayer.getCurrentTime()), { timeout: 5000 }).toBeCloseTo(t, 1);
    expect(await denied.getAttribute('aria-current')).toBe('true');
    // Keyboard: the timeline entries are buttons, reachable and pressable without a mouse.
    const first = timeline.first();
    await first.focus();
    await page.keyboard.press('Enter');
    const t0 = Number(await first.getAttribute('data-t'));
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { bulwarkPlayer: { getCurrentTime(): number } }).bulwarkPlayer.getCurrentTime())).toBeCloseTo(t0, 1);
    // Speed and idle limit rebuild the player; seeking is by marker, so it still lands on the
    // denied command when the idle limit shifts the player's clock away from the recorded t.
    const before = await page.evaluate(() => (globalThis as unknown as { bulwarkPlayer: object }).bulwarkPlayer);
    await page.getByLabel('Speed').selectOption('2');
    await page.getByLabel('Idle limit').selectOption('1');
    expect(await page.evaluate((p) => (globalThis as unknown as { bulwarkPlayer: object }).bulwarkPlayer !== p, before)).toBe(true);
    await page.waitForFunction(() => (globalThis as unknown as { bulwarkPlayer?: { getDuration(): number | undefined } }).bulwarkPlayer?.getDuration() !== undefined);
    await denied.click();
    await expect.poll(() => page.locator('#player').innerText()).toContain('history -c');
    expect(await page.locator('#player').innerText()).not.toContain('three');
    await page.getByLabel('Speed').selectOption('1');
    await page.getByLabel('Idle limit').selectOption('');
    await page.waitForFunction(() => (globalThis as unknown as { bulwarkPlayer?: { getDuration(): number | undefined } }).bulwarkPlayer?.getDuration() !== undefined);
    await denied.click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { bulwarkPlayer: { getCurrentTime(): number } }).bulwarkPlayer.getCurrentTime())).toBeCloseTo(t, 1);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('console-player.png'), fullPage: true });
    expect(await page.locator('.integrity').first().innerText()).toBe('sealed');
  });

  it('flags a recording tampered on disk, naming the first bad record, in the list and on its page', async () => {
    const file = join(c.recordings, `${ids['victim']}.cast`);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('evidence-of-deed');
    // Alter what the session printed (an output event, not the header), as someone covering tracks would.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('[') && l.includes('"o"') && l.includes('evidence-of-deed'));
    expect(at).toBeGreaterThan(1);
    lines[at] = (lines[at] as string).replace('evidence-of-deed', 'evidence-of-good');
    writeFileSync(file, lines.join('\n'));
    const lineNo = at + 1;
    await page.goto(`${c.url}/sessions`);
    expect(await page.locator(`tr[data-id="${ids['victim']}"] .integrity`).innerText()).toBe(`tampered at record ${lineNo}`);
    await page.goto(`${c.url}/recordings/${ids['victim']}`);
    expect(await page.getByRole('alert').innerText()).toMatch(new RegExp(`altered: record ${lineNo}:`));
    await page.screenshot({ path: screenshotPath('console-tampered.png'), fullPage: true });
  });
});
