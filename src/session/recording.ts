/**
 * Recording every session (security invariant 6) and the failure policy around it. Output is teed
 * into the recording exactly as the client gets it; the source is paused while either the client
 * or the recording is behind, so a flood of output never grows memory without bound.
 *
 * onRecordingFailure: terminate (default) closes the session with the reason and refuses new
 * sessions until the recordings directory takes writes again; continue logs loudly and goes on.
 */
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { identityFields, type Identity } from '../core/index.js';
import type { AuditLog } from '../audit/index.js';
import { RecordingWriter, type RecordingError, type RecordingKey } from '../recording/index.js';
import type { PtyRequest, SessionChannel } from './channel.js';

export interface RecordingPolicy {
  readonly enabled: boolean;
  readonly dir: string;
  readonly key: RecordingKey;
  readonly onFailure: 'terminate' | 'continue';
}

/** Shared by all sessions of a server: whether recordings can be written at all right now. */
export class RecordingHealth {
  private failure: string | undefined;

  constructor(private readonly dir: string) {}

  markFailed(reason: string): void {
    this.failure = reason;
  }

  /** After a failure, new sessions wait until a probe write in the directory succeeds again. */
  check(): string | undefined {
    if (this.failure === undefined) return undefined;
    const probe = join(this.dir, `.probe-${process.pid}`);
    try {
      const fd = openSync(probe, 'w', 0o600);
      try {
        writeSync(fd, Buffer.alloc(64 * 1024));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
        unlinkSync(probe);
      }
      this.failure = undefined;
    } catch {
      try {
        unlinkSync(probe);
      } catch {
        // nothing to clean
      }
    }
    return this.failure;
  }
}

export interface OpenRecordingInput {
  readonly policy: RecordingPolicy;
  readonly health: RecordingHealth;
  readonly identity: Identity;
  readonly target: string;
  readonly mode: 'shell' | 'exec';
  readonly command: string | undefined;
  readonly pty: PtyRequest | undefined;
  readonly log: AuditLog;
  /** Called once if the recording fails mid-session in terminate mode. */
  readonly onTerminate: (reason: string) => void;
}

export type OpenRecordingResult = { ok: true; writer: RecordingWriter | undefined } | { ok: false; reason: string };

export async function openSessionRecording(i: OpenRecordingInput): Promise<OpenRecordingResult> {
  const { policy, log } = i;
  if (!policy.enabled) return { ok: true, writer: undefined };
  const refused = i.health.check();
  if (refused !== undefined && policy.onFailure === 'terminate') {
    return { ok: false, reason: `session recordings cannot be written (${refused}); new sessions are refused until that is fixed` };
  }
  const onFailure = (err: RecordingError) => {
    const reason = `session recording failed: ${err.message}`;
    log.error('recording.failure', { code: err.code, error: err.message, policy: policy.onFailure });
    if (policy.onFailure === 'terminate') {
      i.health.markFailed(err.message);
      i.onTerminate(`${reason}; recordings are required here, so this session is closed`);
    }
  };
  try {
    const id = identityFields(i.identity);
    const writer = await RecordingWriter.open(
      policy.dir,
      {
        subject: i.identity.subject,
        kind: i.identity.kind,
        groups: i.identity.groups,
        principal: i.identity.principal,
        serial: i.identity.serial,
        ca: i.identity.caFingerprint,
        source: String(id['source']),
        target: i.target,
        mode: i.mode,
        ...(i.command === undefined ? {} : { command: i.command }),
        width: i.pty?.cols ?? 80,
        height: i.pty?.rows ?? 24,
        startedAt: Date.now(),
        ...(i.pty === undefined ? {} : { term: i.pty.term }),
      },
      { key: policy.key, onFailure },
    );
    return { ok: true, writer };
  } catch (err) {
    const message = (err as Error).message;
    log.error('recording.failure', { error: message, policy: policy.onFailure, phase: 'open' });
    if (policy.onFailure === 'continue') return { ok: true, writer: undefined };
    i.health.markFailed(message);
    return { ok: false, reason: `session recording could not be started (${message}); recordings are required here` };
  }
}

/**
 * A SessionChannel that also records what it sends. write() reports false while either sink is
 * behind; onDrain fires once both have caught up.
 */
export function recordedChannel(channel: SessionChannel, writer: RecordingWriter | undefined): SessionChannel {
  if (writer === undefined) return channel;
  let channelBehind = false;
  let recorderBehind = false;
  const drains: (() => void)[] = [];
  const maybeDrain = () => {
    if (!channelBehind && !recorderBehind) for (const cb of drains) cb();
  };
  channel.onDrain(() => {
    channelBehind = false;
    maybeDrain();
  });
  writer.on('drain', () => {
    recorderBehind = false;
    maybeDrain();
  });
  const tee = (send: (d: Buffer | string) => boolean) => (d: Buffer | string) => {
    const okChannel = send(d);
    const okRecorder = writer.output(typeof d === 'string' ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    if (!okChannel) channelBehind = true;
    if (!okRecorder) recorderBehind = true;
    return okChannel && okRecorder;
  };
  return {
    write: tee((d) => channel.write(d)),
    writeStderr: tee((d) => channel.writeStderr(d)),
    onData: (cb) => channel.onData(cb),
    onEnd: (cb) => channel.onEnd(cb),
    onClose: (cb) => channel.onClose(cb),
    onDrain: (cb) => drains.push(cb),
    exit: (info) => channel.exit(info),
  };
}
