/**
 * Web sessions of the console, kept in memory: a random 256-bit id in a cookie, a per-session
 * CSRF token, an idle timeout and an absolute lifetime; and the short-lived pending sign-ins
 * (PKCE verifier, state, nonce) between the redirect to the provider and its callback.
 *
 * Trust boundary: a cookie value is only a lookup key; everything else (identity, token) stays
 * server-side. Ids and tokens come from crypto.randomBytes and are compared in constant time.
 * Known limits: a restart signs everyone out; one process only; bounded (oldest dropped) so a
 * flood of sign-in attempts cannot exhaust memory.
 */
import { randomBytes } from 'node:crypto';
import type { PendingWebLogin } from '../../oidc/index.js';

export interface ConsoleUser {
  readonly subject: string;
  readonly kind: 'human' | 'agent';
  readonly groups: readonly string[];
  readonly issuer: string;
}

export interface WebSession {
  readonly id: string;
  readonly csrf: string;
  readonly user: ConsoleUser;
  readonly createdAt: number;
  lastSeen: number;
}

const MAX_SESSIONS = 10_000;
const MAX_PENDING = 1_000;
const PENDING_MS = 10 * 60_000;

const token = (): string => randomBytes(32).toString('base64url');

export class WebSessionStore {
  readonly #sessions = new Map<string, WebSession>();
  readonly #pending = new Map<string, { login: PendingWebLogin; returnTo: string; at: number }>();

  constructor(private readonly opts: { idleMs: number; maxMs: number; now?: () => number }) {}

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  create(user: ConsoleUser): WebSession {
    const now = this.#now();
    const s: WebSession = { id: token(), csrf: token(), user, createdAt: now, lastSeen: now };
    this.#sessions.set(s.id, s);
    while (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    return s;
  }

  /** The live session for a cookie value, touching its idle clock; undefined when expired. */
  get(id: string | undefined): WebSession | undefined {
    if (id === undefined || id.length !== 43) return undefined;
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    const now = this.#now();
    if (now - s.lastSeen > this.opts.idleMs || now - s.createdAt > this.opts.maxMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(id: string): void {
    this.#sessions.delete(id);
  }

  /** Remembers a sign-in in progress; returns the key for the short-lived pre-session cookie. */
  begin(login: PendingWebLogin, returnTo: string): string {
    const key = token();
    this.#pending.set(key, { login, returnTo, at: this.#now() });
    while (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value as string);
    return key;
  }

  /** One use only: a replayed callback finds nothing. */
  takePending(key: string | undefined): { login: PendingWebLogin; returnTo: string } | undefined {
    if (key === undefined) return undefined;
    const p = this.#pending.get(key);
    this.#pending.delete(key);
    if (p === undefined || this.#now() - p.at > PENDING_MS) return undefined;
    return { login: p.login, returnTo: p.returnTo };
  }
}
