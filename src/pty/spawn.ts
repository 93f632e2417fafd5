/**
 * Spawning a session's program under a PTY (node-pty) or with plain pipes (exec without a PTY).
 * Both start a new session (setsid) so the whole tree can be swept when the SSH session ends.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import * as nodePty from 'node-pty';
import { PtyError } from './errors.js';
import { switchUserPrefix, type Account } from './account.js';

export interface SpawnOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Run as this account (only effective when bulwark is root). */
  readonly account?: Account;
}

export interface PtySize {
  readonly cols: number;
  readonly rows: number;
}

export interface ExitInfo {
  /** Exit status, or undefined when killed by a signal. */
  readonly code: number | undefined;
  /** Signal name without the SIG prefix (as SSH's exit-signal wants), when killed by one. */
  readonly signal: string | undefined;
}

export interface PtyProcess {
  readonly pid: number;
  write(data: string | Buffer): void;
  resize(size: PtySize): void;
  /** Flow control: stop reading the PTY while the consumer catches up. */
  pause(): void;
  resume(): void;
  kill(signal?: NodeJS.Signals): void;
  onData(cb: (data: Buffer) => void): void;
  onExit(cb: (info: ExitInfo) => void): void;
}

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries((await import('node:os')).constants.signals).map(([name, num]) => [num as number, name.replace(/^SIG/, '')]),
);

function clampSize(s: PtySize): PtySize {
  const fix = (n: number, max: number) => (Number.isInteger(n) && n > 0 ? Math.min(n, max) : 80);
  return { cols: fix(s.cols, 2000), rows: fix(s.rows, 1000) };
}

export function spawnPty(opts: SpawnOptions, size: PtySize, termName = 'xterm-256color'): PtyProcess {
  const argv = [...switchUserPrefix(opts.account), opts.file, ...opts.args];
  const { cols, rows } = clampSize(size);
  let p: nodePty.IPty;
  try {
    p = nodePty.spawn(argv[0] as string, argv.slice(1), {
      name: termName,
      cols,
      rows,
      cwd: opts.cwd,
      env: { ...opts.env },
      encoding: null,
    } as nodePty.IPtyForkOptions);
  } catch (err) {
    throw new PtyError('ERR_PTY_SPAWN', `cannot start ${opts.file}: ${(err as Error).message}`, { cause: err });
  }
  return {
    pid: p.pid,
    write: (d) => p.write(typeof d === 'string' ? d : (d as unknown as string)),
    resize: (s) => {
      const c = clampSize(s);
      try {
        p.resize(c.cols, c.rows);
      } catch {
        // the PTY is already closed; a late window-change is harmless
      }
    },
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: (signal = 'SIGHUP') => {
      try {
        process.kill(p.pid, signal);
      } catch {
        // gone
      }
    },
    onData: (cb) => {
      p.onData((d) => cb(typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d as unknown as Uint8Array)));
    },
    onExit: (cb) => {
      p.onExit(({ exitCode, signal }) => {
        const sig = signal !== undefined && signal > 0 ? SIGNAL_NAMES.get(signal) ?? String(signal) : undefined;
        cb({ code: sig === undefined ? exitCode : undefined, signal: sig });
      });
    },
  };
}

/** Exec without a PTY: separate stdout/stderr pipes, as `ssh host cmd` without -t expects. */
export function spawnPiped(opts: SpawnOptions): ChildProcess {
  const argv = [...switchUserPrefix(opts.account), opts.file, ...opts.args];
  return spawnChild(argv[0] as string, argv.slice(1), {
    cwd: opts.cwd,
    env: { ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
}

export function signalName(num: number | null | undefined): string | undefined {
  return num === null || num === undefined ? undefined : SIGNAL_NAMES.get(num);
}
