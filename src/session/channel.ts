/**
 * What a session needs of its transport. ssh/ adapts an ssh2 channel to this, so session/ never
 * imports ssh2 and tests can drive sessions through any duplex.
 */
import type { ExitInfo } from '../pty/index.js';

export interface SessionChannel {
  /** Returns false when the peer's window is full: stop producing until onDrain. */
  write(data: Buffer | string): boolean;
  writeStderr(data: Buffer | string): boolean;
  onData(cb: (data: Buffer) => void): void;
  /** The client sent EOF on stdin. */
  onEnd(cb: () => void): void;
  /** The channel is gone (client closed it or vanished). */
  onClose(cb: () => void): void;
  onDrain(cb: () => void): void;
  /** Sends exit-status or exit-signal, then EOF and close. Idempotent. */
  exit(info: ExitInfo): void;
}

export interface PtyRequest {
  readonly term: string;
  readonly cols: number;
  readonly rows: number;
}
