/**
 * The auditor console's listener for `bulwark serve`: its own port (`console.listen`), HTTPS with
 * `console.tlsCert`/`tlsKey` or plain HTTP on loopback only, static assets, sign-in, and the
 * session gate in front of every other route (routes.ts).
 *
 * Trust boundary: every request is hostile until its cookie names a live web session; requests
 * without one get the sign-in redirect (pages) or 401, whatever the path, so unauthenticated
 * callers learn nothing about which routes or recordings exist. A Host header other than the
 * console's own is refused (DNS rebinding). Known limits: one process; sessions in memory.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import { describeError } from '../../core/errors.js';
import type { DevIdp } from '../../oidc/index.js';
import { WebError } from '../errors.js';
import { asset } from './assets.js';
import { consoleLoginFor, finishLogin, startLogin, type AuthDeps, type ConsoleLogin } from './auth.js';
import { cookies, headers, redirect, sendHtml, sendJson } from './http.js';
import { IntegrityCache } from './integrity.js';
import { errorPage, layout } from './layout.js';
import type { ReviewPolicy, ReviewStore } from './reviews.js';
import { route, type RouteDeps } from './routes.js';
import { WebSessionStore } from './sessions.js';

export interface ConsoleOptions {
  /** The recording verification key (the same one `bulwark verify` uses). */
  readonly recordingPublicKey: KeyObject;
  /** The approvals store `serve` holds; reviews are disabled without one. */
  readonly reviews?: ReviewStore;
  /** The policy's `approve` action for console users; without it, the approver group decides. */
  readonly reviewPolicy?: ReviewPolicy;
}

export interface ConsoleHandle {
  readonly url: string;
  /** The OIDC redirect URI to register with the provider (the dev IdP gets it automatically). */
  readonly callbackUrl: string;
  /** Gives the console its OIDC client once identity services started; returns banner lines. */
  attach(devIdp: DevIdp | undefined): string;
  setReviews(store: ReviewStore): void;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function hostOf(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

export async function startConsole(config: Config, log: AuditLog, opts: ConsoleOptions): Promise<ConsoleHandle> {
  const c = config.console;
  const tls = c.tlsCert !== undefined && c.tlsKey !== undefined;
  const { host, port: wanted } = hostOf(c.listen);
  if (!tls && !LOOPBACK.test(host)) throw new WebError('ERR_WEB_LISTEN', `refusing plain HTTP for the console on ${c.listen}: set console.tlsCert and console.tlsKey`);
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => void r.writeHead(503).end();
  const server: Server = tls
    ? (createHttps({ cert: readFileSync(c.tlsCert as string), key: readFileSync(c.tlsKey as string) }, (q, r) => handler(q, r)) as unknown as Server)
    : createHttp((q, r) => handler(q, r));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new WebError('ERR_WEB_LISTEN', `console cannot listen on ${c.listen}: ${describeError(e)}`, { cause: e })));
    server.listen(wanted, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = (c.publicUrl ?? `${tls ? 'https' : 'http'}://${shownHost}:${port}`).replace(/\/$/, '');
  const expectedHost = new URL(origin).host;
  const cookieName = tls ? '__Host-bulwark_console' : 'bulwark_console';
  const sessions = new WebSessionStore({ idleMs: c.idleTimeout * 1000, maxMs: c.maxLifetime * 1000 });
  let login: ConsoleLogin | string = 'identity services have not started';
  let reviews = opts.reviews;
  const fail = (res: ServerResponse, status: number, code: string, message: string) =>
    sendHtml(res, status, errorPage(status, code, message, undefined, { auditor: false, approver: false }));
  const auth: AuthDeps = { sessions, log, origin, secure: tls, cookieName, login: () => login, fail };
  const deps: RouteDeps = {
    log, sessions, recordings: config.recordings, integrity: new IntegrityCache(opts.recordingPublicKey), reviews: () => reviews, reviewPolicy: opts.reviewPolicy,
    auditorGroups: c.auditorGroups, approverGroups: c.approverGroups, origin, secure: tls, cookieName,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== expectedHost) return sendJson(res, 421, { error: 'ERR_WEB_BAD_REQUEST', message: `this console answers as ${expectedHost}` });
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (req.method === 'GET' && path.startsWith('/assets/')) {
      const a = await asset(path);
      if (a === undefined) return sendJson(res, 404, { error: 'ERR_WEB_NOT_FOUND', message: 'no such asset' });
      res.writeHead(200, headers({ 'content-type': a.type, 'cache-control': 'private, max-age=300' }));
      res.end(a.body);
      return;
    }
    // Browsers ask for it on every page: answered here so it does not fill the log with refusals.
    if (req.method === 'GET' && path === '/favicon.ico') return void res.writeHead(204, headers()).end();
    if (req.method === 'GET' && path === '/login') return startLogin(auth, res, url);
    if (req.method === 'GET' && path === '/callback') return finishLogin(auth, req, res, url);
    if (req.method === 'GET' && path === '/signed-out') {
      return sendHtml(res, 200, layout('Signed out', undefined, { auditor: false, approver: false }, '<p><a href="/login">Sign in again</a></p>'));
    }
    const session = sessions.get(cookies(req).get(cookieName));
    if (session === undefined) {
      const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
      if (wantsPage) return redirect(res, `/login?return=${encodeURIComponent(path + url.search)}`);
      return sendJson(res, 401, { error: 'ERR_WEB_UNAUTHENTICATED', message: 'sign in at /login first' });
    }
    return route(deps, session, req, res, url);
  }
  handler = (req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('web.denied', { code: 'ERR_WEB_INTERNAL', method: req.method, path: req.url, reason: describeError(e) });
      if (!res.headersSent) sendJson(res, 500, { error: 'ERR_WEB_INTERNAL', message: 'internal error' });
      else res.end();
    });
  };
  log.event('web.start', { url: origin }, `auditor console at ${origin}`);
  return {
    url: origin,
    callbackUrl: `${origin}/callback`,
    attach(devIdp) {
      login = consoleLoginFor(config, devIdp);
      if (typeof login === 'string') {
        log.warn('web.login.failed', { reason: login }, `console sign-in unavailable: ${login}`);
        return `auditor console ${origin} (sign-in unavailable: ${login})`;
      }
      const lines = [`auditor console ${origin}`];
      if (devIdp !== undefined) lines.push(`  demo auditor: ${devIdp.auditor.email}  password: ${devIdp.auditor.password}`);
      return lines.join('\n');
    },
    setReviews(store) {
      reviews = store;
    },
    close: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
