/**
 * One SSH session channel: a shell or an exec, with its lifecycle logged (start, end, duration,
 * exit status) under the connection's identity.
 */
import type { Identity } from '../core/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ExitInfo } from '../pty/index.js';
import type { PtyRequest, SessionChannel } from './channel.js';
import { sessionEnv, type SessionTarget } from './context.js';
import { clientSignal, runProcess, type RunningProcess } from './process.js';

export interface SessionSpec {
  readonly id: string;
  readonly identity: Identity;
  readonly target: SessionTarget;
  readonly clientEnv: Readonly<Record<string, string>>;
  readonly pty: PtyRequest | undefined;
  /** A certificate's force-command replaces whatever the client asked to run. */
  readonly forceCommand: string | undefined;
  readonly log: AuditLog;
}

export interface SessionHandle {
  resize(cols: number, rows: number): void;
  signal(name: string): boolean;
  /** Show the user a message without ending the session (e.g. shutdown notice). */
  notify(message: string): void;
  /** Tell the user why, then end the session's processes. */
  terminate(reason: string): Promise<void>;
  readonly done: Promise<ExitInfo>;
}

export function startSession(spec: SessionSpec, channel: SessionChannel, command: string | undefined): SessionHandle {
  const started = Date.now();
  const run = spec.forceCommand ?? command;
  const mode = run === undefined ? 'shell' : 'exec';
  const env = sessionEnv({ identity: spec.identity, target: spec.target, clientEnv: spec.clientEnv, term: spec.pty?.term });
  if (spec.forceCommand !== undefined && command !== undefined) env['SSH_ORIGINAL_COMMAND'] = command;
  const shell = spec.target.config.shell;
  const args = run === undefined ? ['-l'] : ['-c', run];
  const log = spec.log.child({ session: spec.id, target: spec.target.config.name, mode });
  log.event('session.start', { pty: spec.pty !== undefined, command: run, forced: spec.forceCommand !== undefined });

  let proc: RunningProcess;
  try {
    proc = runProcess({ file: shell, args, cwd: spec.target.cwd, env, account: spec.target.account }, channel, spec.pty);
  } catch (err) {
    const reason = `bulwark: cannot start the session: ${(err as Error).message}\r\n`;
    channel.writeStderr(reason);
    const info = { code: 1, signal: undefined };
    channel.exit(info);
    log.error('session.end', { durationMs: Date.now() - started, exitStatus: 1, error: (err as Error).message });
    return { resize: () => undefined, signal: () => false, notify: () => undefined, terminate: async () => undefined, done: Promise.resolve(info) };
  }

  channel.onClose(() => void proc.kill());
  const done = proc.exited.then(async (info) => {
    channel.exit(info);
    await proc.kill(); // background children of an exited shell do not outlive the session
    log.event('session.end', { durationMs: Date.now() - started, exitStatus: info.code, exitSignal: info.signal });
    return info;
  });

  return {
    resize: (cols, rows) => proc.resize(cols, rows),
    signal: (name) => {
      const s = clientSignal(name);
      if (s === undefined) return false;
      proc.signal(s);
      return true;
    },
    notify: (message) => {
      channel.writeStderr(`\r\nbulwark: ${message}\r\n`);
    },
    terminate: async (reason) => {
      channel.writeStderr(`\r\nbulwark: ${reason}\r\n`);
      await proc.kill();
    },
    done,
  };
}
