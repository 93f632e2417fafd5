/**
 * One SFTP subsystem channel (sftp, and scp in its default SFTP mode): policy decides (`sftp`);
 * allowed, Debian's sftp-server runs as the target's account in the target's cwd and the channel
 * is piped to it both ways, while sftp-parser.ts watches copies of the bytes and turns them into
 * `transfer.file` / `transfer.op` audit events and notes in the channel's own recording.
 *
 * Trust boundary: the client's bytes are hostile; sftp-server parses them with the target
 * account's rights (the judge never sees SFTP: that is why agents are refused by default).
 * Fail closed: a stream the observer cannot follow (bad framing, blown memory bounds) kills
 * sftp-server and closes the channel, so no transfer goes unlogged. A recording that cannot be
 * opened in terminate mode refuses the channel, as for a shell.
 * Known limits: byte counts are as requested/returned on the wire (see sftp-parser.ts); the
 * recording holds notes only (no terminal output to replay).
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Identity } from '../../core/index.js';
import type { AuditLog } from '../../audit/index.js';
import { findTarget } from '../../config/index.js';
import { endSession, spawnPiped, type ExitInfo } from '../../pty/index.js';
import { resolveTarget, sessionEnv, type SessionTarget } from '../context.js';
import { openSessionRecording } from '../recording.js';
import type { SessionHandle, SessionServices } from '../session.js';
import { askTransfer } from './policy.js';
import { SftpParser } from './sftp-parser.js';

/** openssh-sftp-server's binary on Debian and Ubuntu. */
export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

export interface TransferChannel {
  readonly stream: Duplex;
  /** Sends exit-status, then EOF and close. Idempotent. */
  exit(code: number): void;
}

export interface SftpRequest {
  readonly identity: Identity;
  readonly targetName: string;
  readonly clientEnv: Readonly<Record<string, string>>;
  readonly log: AuditLog;
  /** Accepts the subsystem request (undefined if the channel is already gone). */
  readonly accept: () => TransferChannel | undefined;
  readonly reject: () => void;
  /** For tests and unusual installs. */
  readonly sftpServer?: string;
}

/** Decides, then serves or refuses. Resolves with a handle once running, undefined if refused. */
export async function serveSftp(req: SftpRequest, services: SessionServices): Promise<SessionHandle | undefined> {
  const started = Date.now();
  let log = req.log.child({ session: randomBytes(6).toString('hex'), target: req.targetName, mode: 'sftp' });
  const refuse = (reason: string, fields: Record<string, unknown> = {}) => {
    log.warn('session.refused', { request: 'sftp', reason, ...fields }, reason);
    req.reject();
    return undefined;
  };
  const targetConfig = findTarget(services.config, req.targetName);
  if (targetConfig === undefined) return refuse(`unknown target "${req.targetName}"`);
  const decision = askTransfer(services.judge, 'sftp', req.identity, targetConfig);
  if (decision.verdict !== 'allow') return refuse(`SFTP refused by rule ${decision.rule}: ${decision.reason}`, { rule: decision.rule, verdict: decision.verdict });
  let target: SessionTarget;
  try {
    target = resolveTarget(targetConfig, req.identity.principal);
  } catch (err) {
    return refuse((err as Error).message);
  }

  // Accept before anything asynchronous: ssh2 drops channel data that arrives before the accept,
  // and OpenSSH's client sends its INIT without waiting for the subsystem reply. The bytes wait
  // in the channel's buffer (bounded by the SSH window) until sftp-server is piped in.
  const ch = req.accept();
  if (ch === undefined) return undefined;
  let terminate: (reason: string) => void = () => undefined;
  const rec = await openSessionRecording({
    policy: services.recording,
    health: services.recordingHealth,
    identity: req.identity,
    target: targetConfig.name,
    mode: 'exec',
    command: 'sftp',
    pty: undefined,
    log,
    onTerminate: (reason) => terminate(reason),
  });
  if (!rec.ok) {
    log.error('session.refused', { request: 'sftp', reason: rec.reason });
    ch.exit(1);
    return undefined;
  }
  const writer = rec.writer;
  if (writer !== undefined) log = log.child({ recording: writer.id });
  const env = sessionEnv({ identity: req.identity, target, clientEnv: req.clientEnv });
  let child;
  try {
    child = spawnPiped({ file: req.sftpServer ?? SFTP_SERVER, args: [], cwd: target.cwd, env, ...(target.account ? { account: target.account } : {}) });
  } catch (err) {
    log.error('session.refused', { request: 'sftp', reason: `cannot start sftp-server: ${(err as Error).message}` });
    ch.exit(1);
    await writer?.close({ status: 1 });
    return undefined;
  }
  log.event('transfer.sftp.open', { rule: decision.rule, cwd: target.cwd, account: target.account?.name });
  writer?.note('transfer.sftp.open', { rule: decision.rule, cwd: target.cwd });

  let files = 0;
  let garbled: string | undefined;
  const kill = () => (child.pid === undefined ? Promise.resolve() : endSession(child.pid, 500));
  const parser = new SftpParser({
    onFile: (f) => {
      files += 1;
      const fields = { ...f, bytes: f.bytesRead + f.bytesWritten };
      log.event('transfer.file', fields);
      writer?.note('transfer.file', fields);
    },
    onOp: (o) => {
      const fields = { ...o, ok: o.status === 0 };
      log.event('transfer.op', fields);
      writer?.note('transfer.op', fields);
    },
    onGarbled: (why) => {
      garbled = why;
      log.warn('transfer.sftp.garbled', { reason: why }, 'the SFTP stream cannot be followed; the channel is closed so nothing goes unlogged');
      writer?.note('transfer.sftp.garbled', { reason: why });
      void kill();
    },
  });

  // Copies of the bytes go to the parser; the real bytes are piped with backpressure.
  ch.stream.on('data', (d: Buffer) => parser.fromClient(d));
  child.stdout?.on('data', (d: Buffer) => parser.fromServer(d));
  ch.stream.pipe(child.stdin!);
  child.stdout?.pipe(ch.stream, { end: false });
  child.stderr?.resume(); // sftp-server logs to syslog; anything on stderr is dropped
  child.stdin?.on('error', () => undefined);
  ch.stream.on('error', () => undefined);
  ch.stream.on('close', () => void kill());
  // The recording failed in terminate mode (already logged as recording.failure): stop serving.
  terminate = () => void kill();

  const done = new Promise<ExitInfo>((resolve) => {
    child.on('error', (err) => log.error('session.refused', { request: 'sftp', reason: `sftp-server failed: ${err.message}` }));
    child.on('close', (code, signal) => {
      parser.end();
      const info: ExitInfo = { code: code ?? undefined, signal: signal?.replace(/^SIG/, '') ?? undefined };
      // A spawn failure closes with a negative errno: not an exit status SSH can carry.
      ch.exit(garbled !== undefined || code === null || code < 0 || code > 255 ? 1 : code);
      log.event('transfer.sftp.close', { durationMs: Date.now() - started, files, exitStatus: info.code, exitSignal: info.signal, ...(garbled ? { garbled } : {}) });
      void (writer?.close(info.code === undefined ? { signal: info.signal ?? 'KILL' } : { status: info.code }) ?? Promise.resolve()).then(() => resolve(info));
    });
  });
  return {
    resize: () => undefined,
    signal: () => false,
    notify: () => undefined,
    terminate: async (reason) => {
      log.warn('transfer.sftp.close', { reason }, reason);
      await kill();
    },
    done,
  };
}
