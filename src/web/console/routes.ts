/**
 * The console's routes behind a signed-in session: who may see what (auditor and approver
 * groups), the CSRF rule for every state change, and an audit line for every view of a
 * recording and every refusal.
 *
 * Trust boundary: the caller (server.ts) has already resolved the session from its cookie; this
 * module trusts only that session's identity. Group checks come before any filesystem lookup, so
 * a 403 never reveals whether a recording exists. A state-changing request must carry the
 * session's CSRF token (header x-csrf-token or form field csrf) and an Origin equal to the
 * console's own; both are checked before the body is acted on.
 * Known limits: group names are compared exactly (no nesting, no case folding).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../../audit/index.js';
import { describeError } from '../../core/errors.js';
import { sameSecret } from '../../core/secret.js';
import { sourceOf } from '../issuer.js';
import { cookie, headers, readForm, redirect, sendHtml, sendJson } from './http.js';
import type { IntegrityCache } from './integrity.js';
import { errorPage, layout, type Roles } from './layout.js';
import { castFile, recordingPage, sendCast, streamLive } from './recording-page.js';
import { decide, reviewsFragment, reviewsPage, streamReviews, type ReviewPolicy, type ReviewStore } from './reviews.js';
import type { WebSession, WebSessionStore } from './sessions.js';
import { parseListQuery, sessionsPage } from './sessions-page.js';

export interface RouteDeps {
  readonly log: AuditLog;
  readonly sessions: WebSessionStore;
  readonly recordings: string;
  readonly integrity: IntegrityCache;
  readonly reviews: () => ReviewStore | undefined;
  readonly reviewPolicy: ReviewPolicy | undefined;
  readonly auditorGroups: readonly string[];
  readonly approverGroups: readonly string[];
  readonly origin: string;
  readonly secure: boolean;
  readonly cookieName: string;
}

export function rolesOf(d: RouteDeps, s: WebSession | undefined): Roles {
  const g = s?.user.groups ?? [];
  return { auditor: g.some((x) => d.auditorGroups.includes(x)), approver: g.some((x) => d.approverGroups.includes(x)) };
}

const RECORDING = /^\/recordings\/([^/]+)(\/cast|\/live)?$/;
const DECIDE = /^\/reviews\/([^/]+)\/decide$/;

export async function route(d: RouteDeps, s: WebSession, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const roles = rolesOf(d, s);
  const path = url.pathname;
  const who = { subject: s.user.subject, kind: s.user.kind, groups: s.user.groups, source: sourceOf(req) };
  const deny = (status: number, code: string, message: string): void => {
    d.log.warn('web.denied', { ...who, method: req.method, path, code, status, reason: message });
    const json = (req.headers.accept ?? '').includes('application/json') || req.method !== 'GET';
    if (json) sendJson(res, status, { error: code, message });
    else sendHtml(res, status, errorPage(status, code, message, s, roles));
  };
  const page = (title: string, body: string, current: string) => sendHtml(res, 200, layout(title, s, roles, body, current));

  let form = new Map<string, string>();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const origin = req.headers.origin;
    if (origin !== d.origin) return deny(403, 'ERR_WEB_CSRF', `cross-origin or origin-less request refused (Origin ${origin ?? 'missing'})`);
    try {
      form = await readForm(req);
    } catch (e) {
      return deny(400, 'ERR_WEB_BAD_REQUEST', describeError(e));
    }
    const given = (req.headers['x-csrf-token'] as string | undefined) ?? form.get('csrf') ?? '';
    if (!sameSecret(given, s.csrf)) return deny(403, 'ERR_WEB_CSRF', 'missing or wrong CSRF token');
  }

  if (req.method === 'POST' && path === '/logout') {
    d.sessions.destroy(s.id);
    d.log.event('web.logout', who);
    return redirect(res, '/signed-out', { 'set-cookie': cookie(d.cookieName, '', { secure: d.secure, maxAge: 0 }) });
  }
  if (req.method === 'GET' && path === '/') {
    if (roles.auditor) return redirect(res, '/sessions');
    if (roles.approver) return redirect(res, '/reviews');
    return deny(403, 'ERR_WEB_FORBIDDEN', `${s.user.subject} is in none of the console's groups (${[...d.auditorGroups, ...d.approverGroups].join(', ')})`);
  }

  const rec = RECORDING.exec(path);
  if (path === '/sessions' || rec !== null) {
    if (!roles.auditor) return deny(403, 'ERR_WEB_FORBIDDEN', `recordings are for members of ${d.auditorGroups.join(', ')}`);
    if (req.method !== 'GET') return deny(405, 'ERR_WEB_BAD_REQUEST', 'use GET');
    if (rec === null) return page('Sessions', await sessionsPage(d.recordings, d.integrity, parseListQuery(url.searchParams)), '/sessions');
    const id = decodeURIComponent(rec[1] as string);
    const file = await castFile(d.recordings, id);
    if (file === undefined) return deny(404, 'ERR_WEB_NOT_FOUND', `no recording ${id}`);
    const what = rec[2] === '/cast' ? 'cast' : rec[2] === '/live' ? 'live' : 'page';
    // Every look at evidence is itself evidence: logged before anything is sent.
    d.log.event('web.view', { ...who, recording: id, what });
    if (what === 'cast') return sendCast(res, file);
    if (what === 'live') {
      const abort = new AbortController();
      req.on('close', () => abort.abort());
      return streamLive(res, file, abort.signal);
    }
    const { title, body } = await recordingPage(file, id, d.integrity);
    return page(title, body, '/sessions');
  }

  const dec = DECIDE.exec(path);
  if (path === '/reviews' || path === '/reviews/fragment' || path === '/reviews/events' || dec !== null) {
    if (!roles.approver) return deny(403, 'ERR_WEB_FORBIDDEN', `reviews are for members of ${d.approverGroups.join(', ')}`);
    const store = d.reviews();
    if (dec === null) {
      if (req.method !== 'GET') return deny(405, 'ERR_WEB_BAD_REQUEST', 'use GET');
      if (path === '/reviews') return page('Reviews', await reviewsPage(store, s.csrf), '/reviews');
      if (store === undefined) return deny(404, 'ERR_WEB_NOT_FOUND', 'reviews are not enabled on this server');
      if (path === '/reviews/events') return streamReviews(store, req, res);
      return sendHtml(res, 200, await reviewsFragment(store, s.csrf));
    }
    if (req.method !== 'POST') return deny(405, 'ERR_WEB_BAD_REQUEST', 'use POST');
    if (store === undefined) return deny(404, 'ERR_WEB_NOT_FOUND', 'reviews are not enabled on this server');
    const verdict = form.get('verdict');
    const comment = (form.get('comment') ?? '').slice(0, 2000);
    if (verdict !== 'approve' && verdict !== 'deny') return deny(400, 'ERR_WEB_BAD_REQUEST', 'verdict must be approve or deny');
    const id = decodeURIComponent(dec[1] as string);
    const result = await decide(store, id, s.user, who.source, verdict, comment, d.approverGroups, d.reviewPolicy);
    if (!result.ok) return deny(result.code === 'ERR_APPROVAL_NOT_FOUND' ? 404 : 409, result.code, result.message);
    d.log.event('review.decided.web', { ...who, request: id, verdict, comment, status: result.request.status, command: result.request.command, requester: result.request.requester.subject });
    if ((req.headers.accept ?? '').includes('application/json')) return sendJson(res, 200, { id, verdict, status: result.request.status });
    // Without JavaScript the form posts here: back to the list (303: GET it, do not re-POST).
    res.writeHead(303, headers({ location: '/reviews' })).end();
    return;
  }
  return deny(404, 'ERR_WEB_NOT_FOUND', `no page ${path}`);
}
