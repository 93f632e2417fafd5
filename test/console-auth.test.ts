/**
 * Authorization of the auditor console over plain HTTP against the real `bulwark serve` and the
 * real dev IdP: no route leaks anything without a session, an engineer outside the auditor and
 * approver groups gets 403 on every recording and review route (and each refusal is audited),
 * CSRF attempts fail, cookies carry the right attributes, and every view is an audit event.
 */
import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh } from './support/bulwark.js';
import { devCert, httpLogin, startConsoleBulwark, type ConsoleBulwark } from './support/console.js';

let c: ConsoleBulwark;
let id: string;

beforeAll(async () => {
  c = await startConsoleBulwark();
  const { key, cert } = devCert(c, 'auditee@example.com', 'human', 'engineers');
  const r = await runSsh({ port: c.b.port, key, cert, command: 'echo secret-output-7781' });
  expect(r.stdout, r.stderr + c.b.stderr()).toBe('secret-output-7781\n');
  const end = await c.b.waitForLog((l) => l.event === 'session.end');
  id = String(end['recording'] ?? (await c.b.waitForLog((l) => l.event === 'session.start'))['recording']).replace(/^.*\//, '').replace(/\.cast$/, '');
});

afterAll(async () => {
  await c?.b.stop();
});

const routes = (rid: string): [string, string][] => [
  ['GET', '/'], ['GET', '/sessions'], ['GET', '/sessions?text=secret'], ['GET', `/recordings/${rid}`], ['GET', `/recordings/${rid}/cast`],
  ['GET', `/recordings/${rid}/live`], ['GET', '/recordings/../state/user_ca'], ['GET', '/reviews'], ['GET', '/reviews/fragment'],
  ['GET', '/reviews/events'], ['POST', '/reviews/x/decide'], ['POST', '/logout'], ['GET', '/no-such-page'],
];

describe('without a session', () => {
  it('every route but sign-in and assets answers 401 (or the sign-in redirect for pages), never recording content', async () => {
    expect(id).toMatch(/^[0-9TZ]+-[0-9a-f]+$/);
    for (const [method, path] of routes(id)) {
      for (const cookie of [undefined, 'bulwark_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await fetch(`${c.url}${path}`, { method, redirect: 'manual', headers: { origin: c.url, ...(cookie ? { cookie } : {}) } });
        const text = await res.text();
        expect([method, path, res.status]).toEqual([method, path, 401]);
        expect(text).not.toContain('secret-output');
        const page = await fetch(`${c.url}${path}`, { method, redirect: 'manual', headers: { accept: 'text/html', origin: c.url } });
        expect(page.status, `${method} ${path}`).toBe(method === 'GET' ? 302 : 401);
        if (method === 'GET') expect(page.headers.get('location')).toMatch(/^\/login\?return=/);
        expect(await page.text()).not.toContain('secret-output');
      }
    }
    // The browser's automatic favicon request is answered quietly, with nothing in it.
    const icon = await fetch(`${c.url}/favicon.ico`);
    expect([icon.status, (await icon.arrayBuffer()).byteLength]).toEqual([204, 0]);
    // A foreign Host (DNS rebinding) is refused before anything else.
    const port = Number(new URL(c.url).port);
    const rebound = await new Promise<number | undefined>((resolve, reject) =>
      httpGet({ host: '127.0.0.1', port, path: '/assets/console.css', headers: { host: `evil.example:${port}` } }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject));
    expect(rebound).toBe(421);
  });
});

describe('an engineer outside the console groups', () => {
  it('gets 403 on every recording and review route; each refusal is a web.denied line with who', async () => {
    const { browser } = await httpLogin(c.url, c.engineer);
    const from = c.b.logs.length;
    for (const [method, path] of routes(id).filter(([, p]) => p.startsWith('/recordings/') || p.startsWith('/reviews') || p.startsWith('/sessions') || p === '/')) {
      const page = await browser.request(`${c.url}${path}`, method === 'POST' ? { method, form: {} } : { method });
      // POSTs without a token fail the CSRF check first (also 403).
      expect([method, path, page.status]).toEqual([method, path, path.includes('..') ? 404 : 403]);
      expect(page.html).not.toContain('secret-output');
    }
    // Audit lines reach us through the server's stdout: wait for them rather than a fixed time.
    await expect.poll(() => c.b.logs.slice(from).filter((l) => l.event === 'web.denied').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    const denied = c.b.logs.slice(from).filter((l) => l.event === 'web.denied');
    expect(denied.every((l) => l['subject'] === 'engineer@example.com' && Array.isArray(l['groups']))).toBe(true);
    expect(c.b.logs.slice(from).some((l) => l.event === 'web.view')).toBe(false);
  });
});

describe('an auditor', () => {
  it('gets the cast; every view (page, cast, live) is a web.view line with the viewer', async () => {
    const { browser } = await httpLogin(c.url, c.auditor);
    const from = c.b.logs.length;
    expect((await browser.request(`${c.url}/recordings/${id}`)).html).toContain('sealed');
    const cast = await browser.request(`${c.url}/recordings/${id}/cast`);
    expect(cast.status).toBe(200);
    expect(cast.html).toContain('secret-output-7781');
    // A sealed recording's live stream: the screen so far in the reset message, then done.
    const live = await browser.request(`${c.url}/recordings/${id}/live`);
    expect(live.html).toMatch(/^data: \{"cols":\d+,"rows":\d+,"time":[\d.]+,"init":".*secret-output-7781/);
    expect(live.html).toMatch(/event: done\ndata: \{\}\n\n$/);
    expect((await browser.request(`${c.url}/sessions?text=nothing-like-this`)).html).toContain('0 sessions');
    expect((await browser.request(`${c.url}/recordings/20990101T000000Z-deadbeef`)).status).toBe(404);
    await expect.poll(() => c.b.logs.slice(from).filter((l) => l.event === 'web.view').map((v) => v['what']), { timeout: 10_000 }).toEqual(['page', 'cast', 'live']);
    const views = c.b.logs.slice(from).filter((l) => l.event === 'web.view');
    expect(views.every((v) => v['subject'] === 'auditor@example.com' && v['recording'] === id && v['source'] === '127.0.0.1')).toBe(true);
  });
});

describe('sessions and CSRF', () => {
  it('the session cookie is HttpOnly and SameSite=Strict, not Secure on loopback HTTP', async () => {
    const res = await fetch(`${c.url}/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    // The pre-session key rides the provider's cross-site redirect back, so it is Lax, one use.
    expect(res.headers.get('set-cookie')).toMatch(/^bulwark_console_login=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
    const { setCookie } = await httpLogin(c.url, c.auditor);
    const session = setCookie.find((l) => l.startsWith('bulwark_console='));
    expect(session).toMatch(/^bulwark_console=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const line = c.b.logs.findLast((l) => l.event === 'web.login');
    expect(line).toMatchObject({ subject: 'auditor@example.com', groups: ['auditors', 'approvers'] });
  });

  it('state changes need the session token and our Origin: missing, wrong and cross-origin all fail', async () => {
    const { browser, cookie } = await httpLogin(c.url, c.auditor);
    const page = await browser.request(`${c.url}/sessions`);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.html)?.[1] as string;
    expect(csrf).toHaveLength(43);
    const post = (headers: Record<string, string>, body = '') =>
      fetch(`${c.url}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const from = c.b.logs.length;
    expect((await post({ origin: c.url })).status).toBe(403);
    expect((await post({ origin: c.url }, 'csrf=wrong')).status).toBe(403);
    // One character off; the replacement must differ from the token's own last character.
    const offByOne = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    expect(offByOne).not.toBe(csrf);
    expect((await post({ origin: c.url, 'x-csrf-token': offByOne })).status).toBe(403);
    expect((await post({ origin: 'http://evil.example' }, `csrf=${csrf}`)).status).toBe(403);
    expect((await post({}, `csrf=${csrf}`)).status).toBe(403);
    // Still signed in after all of that.
    expect((await browser.request(`${c.url}/sessions`)).status).toBe(200);
    await expect.poll(() => c.b.logs.slice(from).filter((l) => l.event === 'web.denied' && l['code'] === 'ERR_WEB_CSRF').length, { timeout: 10_000 }).toBe(5);
    // The real thing signs out, and the cookie is worthless afterwards.
    const out = await post({ origin: c.url }, `csrf=${csrf}`);
    expect(out.status).toBe(302);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${c.url}/sessions`, { headers: { cookie } })).status).toBe(401);
  });
});
