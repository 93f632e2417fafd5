/**
 * HTTP plumbing of the auditor console on Node's http module (no framework: a dozen routes do not
 * need one): security headers on every response, HTML escaping, cookies, bounded form bodies.
 *
 * Trust boundary: everything read from a request is hostile; every value written into HTML goes
 * through `esc`. The Content-Security-Policy allows only our own script and style (plus
 * WebAssembly compilation, which asciinema-player's terminal emulator needs), so an injection that
 * slipped past escaping still could not run script or reach another origin.
 * Known limits: bodies over 16 KiB are refused; no compression.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLimited } from '../../core/body.js';

export { esc } from '../../core/html.js';

const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // The player positions its terminal with style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...extra,
  };
}

export function sendHtml(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, headers({ 'content-type': 'text/html; charset=utf-8', ...extra }));
  res.end(html);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, headers({ 'content-type': 'application/json' }));
  res.end(`${JSON.stringify(body)}\n`);
}

export function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { ...headers(), location, ...extra });
  res.end();
}

export function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** A Set-Cookie value: always HttpOnly and SameSite=Strict; Secure on HTTPS. */
export function cookie(name: string, value: string, opts: { secure: boolean; maxAge?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  return parts.join('; ');
}

const MAX_FORM = 16 * 1024;

/** application/x-www-form-urlencoded or JSON object body as string fields. */
export async function readForm(req: IncomingMessage): Promise<Map<string, string>> {
  const body = await readLimited(req, MAX_FORM);
  if (body === undefined) throw new Error(`request body is larger than ${MAX_FORM} bytes`);
  const text = body.toString('utf8');
  const out = new Map<string, string>();
  if (/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out.set(k, v);
    return out;
  }
  for (const [k, v] of new URLSearchParams(text)) out.set(k, v);
  return out;
}
