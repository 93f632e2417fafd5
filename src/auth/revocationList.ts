import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isKrl, parseKrl, type Krl, type OpenSshCertificate } from '../ca/index.js';
import { describeError } from '../core/errors.js';
import { DenyList } from './denyList.js';
import { AuthError } from './errors.js';

export type RevocationStatus = { readonly revoked: false } | { readonly revoked: true; readonly reason: string };

/** What authorizeCertificate asks about revocation. Implementations must fail closed. */
export interface RevocationCheck {
  check(cert: OpenSshCertificate): RevocationStatus;
}

/** For deployments that configured no revocation list at all: revokes nothing. */
export const NO_REVOCATION_LIST: RevocationCheck = Object.freeze({ check: () => ({ revoked: false }) as const });

export interface RevocationListOptions {
  /** Called with every failed (re)load; the previous list stays in force. */
  readonly onError?: (error: AuthError) => void;
  /** Stat poll interval, the fallback when fs.watch misses a change. Default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Quiet time after a watch event before re-reading, so a file being written is read whole. */
  readonly debounceMs?: number;
  /** Set false to rely on the stat poll alone (e.g. filesystems where fs.watch is unreliable). */
  readonly watch?: boolean;
}

type Loaded = { readonly kind: 'krl'; readonly krl: Krl } | { readonly kind: 'text'; readonly list: DenyList };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a binary OpenSSH KRL (detected by magic) or a text deny list. */
export function loadRevocationFile(path: string): Loaded {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new AuthError('ERR_AUTH_REVOCATION_UNREADABLE', `${path}: cannot read revocation list: ${describeError(e)}`, { cause: e });
  }
  try {
    if (isKrl(bytes)) return { kind: 'krl', krl: parseKrl(bytes) };
    return { kind: 'text', list: DenyList.parse(utf8.decode(bytes), path) };
  } catch (e) {
    if (e instanceof AuthError) throw e;
    throw new AuthError('ERR_AUTH_REVOCATION_UNREADABLE', `${path}: invalid revocation list: ${describeError(e)}`, { cause: e });
  }
}

/**
 * A revocation list file kept current: watched with fs.watch (on the directory, so atomic
 * rename-into-place is seen) plus a stat poll. A reload that fails keeps the previous list; if
 * the file never loaded, every certificate counts as revoked.
 */
export class RevocationList implements RevocationCheck {
  private current: Loaded | null = null;
  private lastError: AuthError | null = null;
  private watcher: FSWatcher | null = null;
  private readonly poll: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | null = null;
  private signature = '';
  private closed = false;

  constructor(
    readonly path: string,
    private readonly options: RevocationListOptions = {},
  ) {
    this.signature = this.statSignature();
    this.reload();
    if (options.watch !== false) this.startWatcher();
    this.poll = setInterval(() => {
      const sig = this.statSignature();
      if (sig !== this.signature) {
        this.signature = sig;
        this.reload();
      }
    }, options.pollIntervalMs ?? 2000);
    this.poll.unref();
  }

  private startWatcher(): void {
    try {
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === basename(this.path)) this.scheduleReload();
      });
      this.watcher.on('error', () => this.stopWatcher());
    } catch {
      this.watcher = null; // The stat poll still notices changes.
    }
  }

  private statSignature(): string {
    try {
      const s = statSync(this.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private scheduleReload(): void {
    if (this.closed) return;
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.signature = this.statSignature();
      this.reload();
    }, this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  /** Re-reads the file now. Returns true if it loaded; on failure keeps the previous list. */
  reload(): boolean {
    if (this.closed) return false;
    try {
      this.current = loadRevocationFile(this.path);
      this.lastError = null;
      return true;
    } catch (e) {
      const err = e instanceof AuthError ? e : new AuthError('ERR_AUTH_REVOCATION_UNREADABLE', describeError(e), { cause: e });
      this.lastError = err;
      this.options.onError?.(err);
      return false;
    }
  }

  get status(): { readonly loaded: boolean; readonly format: 'krl' | 'text' | null; readonly lastError: string | null } {
    return { loaded: this.current !== null, format: this.current?.kind ?? null, lastError: this.lastError?.message ?? null };
  }

  check(cert: OpenSshCertificate): RevocationStatus {
    const c = this.current;
    if (c === null) return { revoked: true, reason: 'revocation list unreadable' };
    const reason = c.kind === 'krl' ? c.krl.revocationReason(cert) : c.list.revocationReason(cert);
    return reason === null ? { revoked: false } : { revoked: true, reason };
  }

  private stopWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Stops watching and polling. The last loaded list still answers check(). */
  close(): void {
    this.closed = true;
    this.stopWatcher();
    clearInterval(this.poll);
    if (this.debounce !== null) clearTimeout(this.debounce);
  }
}
