/**
 * Integrity of recordings for the console, from the same verifier as `bulwark verify`
 * (recording/verify.ts) with the same public key. Results are cached by file size and mtime so a
 * list page does not re-hash every recording on every load; any change to a file (a tamper
 * included) changes its mtime or size and so forces a fresh verification.
 *
 * Trust boundary: the verifier trusts only the public key; the cache trusts the filesystem's
 * mtime, so a tamper that restores size and mtime (needs write access plus utimes) would be
 * served stale until the process restarts. The recording page always verifies afresh.
 * Known limits: the cache is unbounded in entries but each is small; it forgets nothing.
 */
import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { verifyRecording, type VerifyResult } from '../../recording/index.js';
import { esc } from './http.js';

export class IntegrityCache {
  readonly #cache = new Map<string, { size: number; mtimeMs: number; result: VerifyResult }>();

  constructor(private readonly publicKey: KeyObject) {}

  async check(file: string, fresh = false): Promise<VerifyResult> {
    const st = await stat(file);
    const hit = this.#cache.get(file);
    if (!fresh && hit !== undefined && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.result;
    const result = await verifyRecording(file, this.publicKey);
    this.#cache.set(file, { size: st.size, mtimeMs: st.mtimeMs, result });
    return result;
  }
}

/** A short label: sealed, unsealed, or tampered at record N. */
export function integrityLabel(r: VerifyResult): string {
  if (r.status === 'tampered') return `tampered at record ${r.firstBadRecord ?? '?'}`;
  return r.status;
}

export function integrityBadge(r: VerifyResult): string {
  return `<span class="integrity ${r.status}" title="${esc(r.reason)}">${esc(integrityLabel(r))}</span>`;
}
