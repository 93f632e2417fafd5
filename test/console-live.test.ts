/**
 * Following a session in progress: while a real interactive ssh session is open, the sessions
 * list shows it open and unsealed, and the recording's live stream (server-sent events in
 * asciinema-player's eventsource shape) delivers the screen so far, then each new output as it is
 * typed, then `done` once the session ends and the recording is sealed.
 */
import { spawn } from 'node:child_process';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshArgs } from './support/bulwark.js';
import { browserLogin, devCert, httpLogin, launchChromium, startConsoleBulwark, type ConsoleBulwark } from './support/console.js';

let c: ConsoleBulwark;
let chromium: Chromium;

beforeAll(async () => {
  c = await startConsoleBulwark();
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await c?.b.stop();
});

/** An interactive session the test types into, waiting for each line's output. */
function openSession(subject: string) {
  const dev = devCert(c, subject, 'human', 'engineers');
  const ssh = spawn('ssh', sshArgs({ port: c.b.port, key: dev.key, cert: dev.cert, extra: ['-tt'] }), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  ssh.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((r) => ssh.on('close', r));
  const typed = async (line: string, expectOut: string) => {
    ssh.stdin.write(line);
    for (let i = 0; i < 100 && !out.includes(expectOut); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(expectOut);
  };
  return { typed, closed, exit: () => ssh.stdin.write('exit\r') };
}

describe('live view', () => {
  it('streams a session in progress until it is sealed', async () => {
    const { typed, closed, exit } = openSession('live@example.com');
    await typed('echo live-$((1+1))\r', 'live-2');
    const id = String((await c.b.waitForLog((l) => l.event === 'session.start' && l['subject'] === 'live@example.com'))['recording']);
    const { browser, cookie } = await httpLogin(c.url, c.auditor);
    // Writes are flushed at least every second.
    await new Promise((r) => setTimeout(r, 1200));
    const list = await browser.request(`${c.url}/sessions?subject=live%40example.com`);
    expect(list.html).toMatch(/<span class="live">open<\/span>/);
    expect(list.html).toMatch(/class="integrity unsealed"/);
    const page = await browser.request(`${c.url}/recordings/${id}`);
    expect(page.html).toContain('id="live"');

    const res = await fetch(`${c.url}/recordings/${id}/live`, { headers: { cookie } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let stream = '';
    const until = async (needle: string) => {
      while (!stream.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        stream += Buffer.from(value).toString();
      }
      expect(stream).toContain(needle);
    };
    await until('\n\n');
    const reset = JSON.parse(stream.slice('data: '.length, stream.indexOf('\n'))) as { cols: number; rows: number; time: number; init: string };
    expect(reset.init).toContain('live-2');
    expect(reset.cols).toBeGreaterThan(0);
    await typed('echo live-$((2+1))\r', 'live-3');
    await until('live-3');
    const event = stream.split('\n\n').find((m) => m.includes('live-3') && !m.includes('"init"'));
    expect(JSON.parse((event as string).slice('data: '.length))).toEqual([expect.any(Number), 'o', expect.stringContaining('live-3')]);
    exit();
    await closed;
    await until('event: done');
    expect(c.b.logs.filter((l) => l.event === 'web.view' && l['recording'] === id).map((l) => l['what'])).toEqual(['page', 'live']);
  });

  it('in Chromium, Follow live plays new output of the open session as it is typed', async () => {
    const { typed, closed, exit } = openSession('follow@example.com');
    await typed('echo follow-$((40+1))\r', 'follow-41');
    const id = String((await c.b.waitForLog((l) => l.event === 'session.start' && l['subject'] === 'follow@example.com'))['recording']);
    await new Promise((r) => setTimeout(r, 1200));
    const page = await chromium.newPage();
    await browserLogin(page, c.url, c.auditor, `/recordings/${id}`);
    const follow = page.locator('#live');
    expect(await follow.innerText()).toBe('Follow live');
    await follow.click();
    expect(await follow.getAttribute('aria-pressed')).toBe('true');
    expect(await follow.innerText()).toBe('Stop following');
    await expect.poll(() => page.locator('#player').innerText(), { timeout: 10_000 }).toContain('follow-41');
    await typed('echo follow-$((40+2))\r', 'follow-42');
    await expect.poll(() => page.locator('#player').innerText(), { timeout: 10_000 }).toContain('follow-42');
    exit();
    await closed;
    await page.close();
  });
});
