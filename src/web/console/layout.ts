/**
 * The page shell of the console: landmarks (banner, navigation, main), the signed-in user, the
 * sign-out form and the CSRF token for the page's script, and simple error pages.
 *
 * Trust boundary: every dynamic value is escaped here or by the caller with `esc`; `body` is
 * HTML the caller built that way. Known limits: English only.
 */
import { esc } from './http.js';
import type { WebSession } from './sessions.js';

export interface Roles {
  readonly auditor: boolean;
  readonly approver: boolean;
}

export function layout(title: string, session: WebSession | undefined, roles: Roles, body: string, current = ''): string {
  const link = (href: string, label: string) =>
    `<li><a href="${href}"${current === href ? ' aria-current="page"' : ''}>${label}</a></li>`;
  const nav = session === undefined ? '' : `<nav aria-label="Console sections"><ul>
${roles.auditor ? link('/sessions', 'Sessions') : ''}${roles.approver ? link('/reviews', 'Reviews') : ''}</ul></nav>
<form method="post" action="/logout" class="signout"><input type="hidden" name="csrf" value="${esc(session.csrf)}">
<span>${esc(session.user.subject)}</span> <button type="submit">Sign out</button></form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${session === undefined ? '' : `<meta name="csrf-token" content="${esc(session.csrf)}">`}
<title>${esc(title)} · bulwark</title>
<link rel="stylesheet" href="/assets/console.css"><script src="/assets/console.js" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><p class="brand">bulwark console</p>${nav}</header>
<main id="main" tabindex="-1"><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

export function errorPage(status: number, code: string, message: string, session: WebSession | undefined, roles: Roles): string {
  return layout(status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong', session, roles, `<p role="alert"><strong>${esc(code)}</strong>: ${esc(message)}</p>`);
}
