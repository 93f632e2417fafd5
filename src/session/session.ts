/**
 * One SSH session channel: a shell or an exec, recorded, with its lifecycle logged (start, end,
 * duration, exit status) under the connection's identity. A PTY shell is guarded (guarded/shell.ts:
 * bulwark's editor, every unit judged before the driver runs it); an exec is judged before it runs
 * (deny → 77, review → 75, nothing runs). A shell without a PTY (a script on stdin) is judged unit
 * by unit (guarded/piped.ts) and stops at the first unit that is not allowed. A review opens an
 * approval request (review.ts); an exec whose first word is `approvals` is answered by bulwark.
 * Output passes a masker (masked.ts) chosen by the session's policy obligations before it is
 * teed to the client and the recording.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from '../core/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { findTarget } from '../config/index.js';
import type { ExitInfo } from '../pty/index.js';
import type { PtyRequest, SessionChannel } from './channel.js';
import { resolveTarget, sessionEnv, type SessionTarget } from './context.js';
import { clientSignal, runProcess, type RunningProcess } from './process.js';
import { openSessionRecording, recordedChannel, type RecordingHealth, type RecordingPolicy } from './recording.js';
import { describeDecision, judgeUnit, type JudgeServices } from './guarded/judge.js';
import { requestFacts } from '../policy/index.js';
import { runPipedShell } from './guarded/piped.js';
import { runGuardedShell } from './guarded/shell.js';
import { isApprovalsCommand, runApprovalsCommand, type ApprovalRequest } from '../approvals/index.js';
import { detectorsFromObligations } from '../masking/index.js';
import { maskedChannel } from './masked.js';
import { approverCheck, waitForExec, waits, type ApprovalServices } from './review.js';

/** Exit statuses of a judged exec (DESIGN.md external contract). */
export const EXIT_DENIED = 77;
export const EXIT_REVIEW = 75;

/** What every session of a server shares. */
export interface SessionServices {
  readonly config: Config;
  readonly recording: RecordingPolicy;
  readonly recordingHealth: RecordingHealth;
  /** Intent analyser and the policy in force. */
  readonly judge: JudgeServices;
  /** Review requests (also in judge.approvals); absent: reviews are held like denies. */
  readonly approvals?: ApprovalServices | undefined;
}

export interface SessionRequest {
  readonly identity: Identity;
  readonly targetName: string;
  readonly clientEnv: Readonly<Record<string, string>>;
  readonly pty: PtyRequest | undefined;
  /** A certificate's force-command replaces whatever the client asked to run. */
  readonly forceCommand: string | undefined;
  /** undefined: a shell. */
  readonly command: string | undefined;
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

function refuse(channel: SessionChannel, log: AuditLog, request: string, reason: string): SessionHandle {
  log.error('session.refused', { request, reason });
  channel.writeStderr(`bulwark: ${reason}\r\n`);
  const info: ExitInfo = { code: 1, signal: undefined };
  channel.exit(info);
  return { resize: () => undefined, signal: () => false, notify: () => undefined, terminate: async () => undefined, done: Promise.resolve(info) };
}

/**
 * Starts the session. Resolves once it is running (or refused); `done` resolves when it ends.
 * Every failure is reported to the user on stderr and ends the channel with status 1.
 */
export async function startSession(req: SessionRequest, clientChannel: SessionChannel, services: SessionServices): Promise<SessionHandle> {
  const started = Date.now();
  const run = req.forceCommand ?? req.command;
  const mode = run === undefined ? 'shell' : 'exec';
  const id = randomBytes(6).toString('hex');
  let log = req.log.child({ session: id, target: req.targetName, mode });

  const targetConfig = findTarget(services.config, req.targetName);
  let target: SessionTarget;
  try {
    if (targetConfig === undefined) throw new Error(`unknown target "${req.targetName}"`);
    target = resolveTarget(targetConfig, req.identity.principal);
  } catch (err) {
    return refuse(clientChannel, log, mode, (err as Error).message);
  }

  let terminate: (reason: string) => Promise<void> = async () => undefined;
  const rec = await openSessionRecording({
    policy: services.recording,
    health: services.recordingHealth,
    identity: req.identity,
    target: target.config.name,
    mode,
    command: run,
    pty: req.pty,
    log,
    onTerminate: (reason) => void terminate(reason),
  });
  if (!rec.ok) return refuse(clientChannel, log, mode, rec.reason);
  const writer = rec.writer;
  if (writer !== undefined) log = log.child({ recording: writer.id });
  const recorded = recordedChannel(clientChannel, writer);

  const env = sessionEnv({ identity: req.identity, target, clientEnv: req.clientEnv, term: req.pty?.term });
  if (req.forceCommand !== undefined && req.command !== undefined) env['SSH_ORIGINAL_COMMAND'] = req.command;
  log.event('session.start', { pty: req.pty !== undefined, command: run, forced: req.forceCommand !== undefined });
  const judgeInput = { services: services.judge, identity: req.identity, target: target.config, log, writer, reason: req.clientEnv['BULWARK_REASON'], session: id };
  const approvals = services.approvals;
  // Every step of this session's requests, decided anywhere, is marked in its recording.
  const onReview = (r: ApprovalRequest) => {
    if (r.session === id && r.status !== 'pending' && r.status !== 'consumed') writer?.note(`review.${r.status}`, { id: r.id, by: r.closedBy ?? r.decisions.at(-1)?.by });
  };
  approvals?.store.on('change', onReview);
  const finished = (info: ExitInfo, fields: Record<string, unknown>): SessionHandle => {
    approvals?.store.off('change', onReview);
    log.event('session.end', { durationMs: Date.now() - started, exitStatus: info.code, ...fields });
    return { resize: () => undefined, signal: () => false, notify: () => undefined, terminate: async () => undefined, done: Promise.resolve(info) };
  };

  // Output masking: the obligations of the `shell` action (asked for every session, exec too), plus
  // those of the permit that allowed an exec.
  const facts = requestFacts(req.identity, target.config);
  let obligations = services.judge.engine().evaluate({
    action: 'shell',
    ...facts,
    intents: [],
    context: { ...facts.context, mode: run === undefined ? 'interactive' : 'exec', tty: req.pty !== undefined },
  }).obligations;

  if (run !== undefined && isApprovalsCommand(run)) {
    // Reserved at the bastion: answered here, never run on the target.
    const res = approvals
      ? runApprovalsCommand(run, req.identity, approvals.store, approverCheck(services.config, services.judge.engine, req.identity))
      : { code: EXIT_DENIED, stdout: '', stderr: 'bulwark: approvals are not enabled on this bastion\n' };
    writer?.note('approvals', { command: run, exitStatus: res.code });
    // A terminal in raw mode needs CR LF (`ssh -t bastion approvals list`).
    const lines = (t: string) => (req.pty === undefined ? t : t.replace(/\n/g, '\r\n'));
    if (res.stdout !== '') recorded.write(lines(res.stdout));
    if (res.stderr !== '') recorded.writeStderr(lines(res.stderr));
    await writer?.close({ status: res.code });
    const info: ExitInfo = { code: res.code, signal: undefined };
    clientChannel.exit(info);
    return finished(info, { approvals: true });
  }

  if (run !== undefined) {
    const j = judgeUnit({ ...judgeInput, mode: 'exec' }, run, { cwd: target.cwd, path: env['PATH'] ?? '', functions: new Map() });
    if (j.decision.verdict !== 'allow' && !j.consumed) {
      let code = j.decision.verdict === 'review' ? EXIT_REVIEW : EXIT_DENIED;
      clientChannel.writeStderr(`${describeDecision(j)}\n`);
      if (code === EXIT_REVIEW && approvals && j.requestId !== undefined && waits(approvals, req.identity, req.clientEnv, req.pty !== undefined)) {
        const w = await waitForExec(approvals, j.requestId, req.identity.subject, (t) => clientChannel.writeStderr(t), (cb) => clientChannel.onClose(cb), (cb) => clientChannel.onData(cb));
        code = w === true ? 0 : w;
        if (w === true) writer?.note('review.consumed', { id: j.requestId });
      }
      if (code !== 0) {
        await writer?.close({ status: code });
        const info: ExitInfo = { code, signal: undefined };
        clientChannel.exit(info);
        return finished(info, { verdict: j.decision.verdict });
      }
    }
    // Say which approval was used up, so the requester knows the next resend is judged afresh.
    if (j.consumed) clientChannel.writeStderr(`${describeDecision(j)}\n`);
    obligations = [...obligations, ...j.decision.obligations];
  }
  const channel = maskedChannel(recorded, detectorsFromObligations(obligations), req.pty !== undefined, log);

  let proc: RunningProcess;
  try {
    proc =
      run === undefined && req.pty !== undefined
        ? runGuardedShell(
            {
              shell: target.config.shell,
              cwd: target.cwd,
              env,
              account: target.account,
              pty: req.pty,
              judge: { ...judgeInput, mode: 'interactive' },
              user: req.identity.principal,
              home: env['HOME'] ?? target.cwd,
            },
            channel,
          )
        : run === undefined
          ? runPipedShell({ shell: target.config.shell, cwd: target.cwd, env, account: target.account, judge: { ...judgeInput, mode: 'exec' }, exitDenied: EXIT_DENIED, exitReview: EXIT_REVIEW }, channel)
          : runProcess({ file: target.config.shell, args: ['-c', run], cwd: target.cwd, env, account: target.account }, channel, req.pty);
  } catch (err) {
    approvals?.store.off('change', onReview);
    await writer?.close({ status: 1 });
    return refuse(clientChannel, log, mode, `cannot start the session: ${(err as Error).message}`);
  }
  terminate = async (reason) => {
    clientChannel.writeStderr(`\r\nbulwark: ${reason}\r\n`);
    await proc.kill();
  };

  clientChannel.onClose(() => void proc.kill());
  const done = proc.exited.then(async (info) => {
    channel.exit(info);
    await proc.kill(); // background children of an exited shell do not outlive the session
    approvals?.store.off('change', onReview);
    await writer?.close({ ...(info.code === undefined ? {} : { status: info.code }), ...(info.signal === undefined ? {} : { signal: info.signal }) });
    const masked = channel.stats();
    log.event('session.end', { durationMs: Date.now() - started, exitStatus: info.code, exitSignal: info.signal, ...(masked === undefined ? {} : { masked: masked.masked }) });
    return info;
  });

  return {
    resize: (cols, rows) => {
      proc.resize(cols, rows);
      writer?.resize(cols, rows);
    },
    signal: (name) => {
      const s = clientSignal(name);
      if (s === undefined) return false;
      proc.signal(s);
      return true;
    },
    notify: (message) => {
      clientChannel.writeStderr(`\r\nbulwark: ${message}\r\n`);
    },
    terminate: (reason) => terminate(reason),
    done,
  };
}
