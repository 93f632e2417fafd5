/**
 * Runs one program for a session channel and carries its I/O faithfully: stdin with EOF, stdout,
 * stderr (separate without a PTY), flow control both ways, window changes, signals, and the exit
 * status or signal. Used for plain exec and for the shell; the guarded paths sit in front of it.
 */
import type { ChildProcess } from 'node:child_process';
import { endSession, spawnPiped, spawnPty, type ExitInfo, type PtyProcess, type SpawnOptions } from '../pty/index.js';
import type { PtyRequest, SessionChannel } from './channel.js';

export interface RunningProcess {
  readonly pid: number;
  resize(cols: number, rows: number): void;
  signal(name: NodeJS.Signals): void;
  /** Ends the program and everything it started. */
  kill(): Promise<void>;
  readonly exited: Promise<ExitInfo>;
}

/** Signals a client may send with the SSH `signal` request (RFC 4254 §6.9 names). */
const CLIENT_SIGNALS = new Set(['INT', 'TERM', 'HUP', 'KILL', 'QUIT', 'USR1', 'USR2', 'ALRM']);

export function clientSignal(name: string): NodeJS.Signals | undefined {
  return CLIENT_SIGNALS.has(name) ? (`SIG${name}` as NodeJS.Signals) : undefined;
}

function runInPty(spawn: SpawnOptions, pty: PtyRequest, channel: SessionChannel): RunningProcess {
  const p: PtyProcess = spawnPty(spawn, { cols: pty.cols, rows: pty.rows }, pty.term);
  channel.onData((d) => p.write(d));
  // EOF on a PTY is the terminal's EOF character, as sshd does for `ssh -t host cmd < file`.
  channel.onEnd(() => p.write('\x04'));
  channel.onDrain(() => p.resume());
  p.onData((d) => {
    if (!channel.write(d)) p.pause();
  });
  const exited = new Promise<ExitInfo>((resolve) => p.onExit(resolve));
  return {
    pid: p.pid,
    resize: (cols, rows) => p.resize({ cols, rows }),
    signal: (s) => p.kill(s),
    kill: () => endSession(p.pid),
    exited,
  };
}

function runPiped(spawn: SpawnOptions, channel: SessionChannel): RunningProcess {
  const child: ChildProcess = spawnPiped(spawn);
  const stdin = child.stdin;
  stdin?.on('error', () => {
    // the program closed its stdin early (e.g. `head -1`); the client's extra input is dropped
  });
  channel.onData((d) => {
    if (stdin && !stdin.destroyed && !stdin.write(d)) {
      // Node buffers the rest; a fast client pasting into a slow reader is bounded by the SSH window.
    }
  });
  channel.onEnd(() => stdin?.end());
  const pump = (stream: NodeJS.ReadableStream | null, write: (d: Buffer) => boolean) => {
    stream?.on('data', (d: Buffer) => {
      if (!write(d)) stream.pause();
    });
  };
  pump(child.stdout, (d) => channel.write(d));
  pump(child.stderr, (d) => channel.writeStderr(d));
  channel.onDrain(() => {
    child.stdout?.resume();
    child.stderr?.resume();
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('error', () => resolve({ code: 127, signal: undefined }));
    // 'close' waits for stdout/stderr to end, so the exit status is sent after the last byte.
    child.on('close', (code, sig) => resolve({ code: sig ? undefined : code ?? 0, signal: sig ? sig.replace(/^SIG/, '') : undefined }));
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    resize: () => undefined,
    signal: (s) => {
      try {
        process.kill(pid, s);
      } catch {
        // gone
      }
    },
    kill: () => (pid > 0 ? endSession(pid) : Promise.resolve()),
    exited,
  };
}

export function runProcess(spawn: SpawnOptions, channel: SessionChannel, pty: PtyRequest | undefined): RunningProcess {
  return pty === undefined ? runPiped(spawn, channel) : runInPty(spawn, pty, channel);
}
