/**
 * Output masking for a session (docs/masking.md): one masker per output stream (stdout, stderr)
 * in front of the recorded channel, so the client and the recording get the same masked bytes.
 * The detectors are the policy's obligations for the session (`@mask(...)` on the permits that
 * allowed the shell or the exec). A masker may hold the tail of a chunk that could start a secret;
 * a timer releases it ~30 ms after the last push, and exit() releases everything before the exit
 * status, so nothing is lost and prompts still appear at once.
 *
 * Trust boundary: the bytes are the target's untrusted output. Flow control is kept: write()
 * reports false while the channel or the recording underneath is behind, even when the masker
 * held the whole chunk. Known limits: the masker's own (docs/masking.md); bulwark's own messages
 * written straight to the client channel (deny/review lines) are not masked.
 */
import type { AuditLog } from '../audit/index.js';
import { createMasker, type Masker, type MaskerStats } from '../masking/index.js';
import type { SessionChannel } from './channel.js';

export const FLUSH_MS = 30;

export interface MaskedChannel extends SessionChannel {
  readonly stats: () => MaskerStats | undefined;
}

/** `detectors` empty: the channel itself (masking off costs nothing). */
export function maskedChannel(inner: SessionChannel, detectors: readonly string[], terminal: boolean, log: AuditLog): MaskedChannel {
  if (detectors.length === 0) return Object.assign(Object.create(null) as object, inner, { stats: () => undefined }) as MaskedChannel;
  const make = () => createMasker({ detectors, terminal });
  const out = make();
  const err = make();
  if (out.detectors.unknown.length > 0) {
    log.warn('session.start', { maskUnknown: out.detectors.unknown }, 'unknown masking detector names: every detector is on');
  }
  let behind = false;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const send = (m: Masker, bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!(m === out ? inner.write(buf) : inner.writeStderr(buf))) behind = true;
  };
  const flushAll = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (out.held > 0) send(out, out.flush());
    if (err.held > 0) send(err, err.flush());
  };
  const push = (m: Masker, other: Masker) => (d: Buffer | string) => {
    if (ended) return !behind;
    // The recording is one stream: release what the other stream holds first, so order is kept.
    if (other.held > 0) send(other, other.flush());
    m.write(typeof d === 'string' ? Buffer.from(d) : d, (bytes) => send(m, bytes));
    if (timer) clearTimeout(timer);
    timer = out.held > 0 || err.held > 0 ? setTimeout(flushAll, FLUSH_MS) : undefined;
    return !behind;
  };
  inner.onDrain(() => {
    behind = false;
  });
  const stats = (): MaskerStats => {
    const masked: Record<string, number> = { ...out.stats.masked };
    for (const [k, v] of Object.entries(err.stats.masked)) masked[k] = (masked[k] ?? 0) + v;
    return { masked, faults: out.stats.faults + err.stats.faults };
  };
  return {
    write: push(out, err),
    writeStderr: push(err, out),
    onData: (cb) => inner.onData(cb),
    onEnd: (cb) => inner.onEnd(cb),
    onClose: (cb) => {
      inner.onClose(() => {
        if (timer) clearTimeout(timer);
        cb();
      });
    },
    // Registered after ours above, so `behind` is already cleared when the source resumes.
    onDrain: (cb) => inner.onDrain(cb),
    exit: (info) => {
      if (!ended) flushAll();
      ended = true;
      inner.exit(info);
    },
    stats,
  };
}
