/**
 * A guarded shell without a PTY (`ssh -T host` with a script on stdin). stdin is split into parse
 * units (a line, or lines until intent's isComplete says the unit is whole); each is judged in the
 * context the previous one left (cwd, PATH, functions from the driver's report) and only then
 * handed to a non-interactive bash loop over a private pipe (fd 3), which reports back on fd 4.
 * Units never share stdin with what they run (commands get /dev/null), so a command cannot eat or
 * cut the text of the next unit. The first unit that is not allowed stops the script: its reason
 * goes to stderr and the session exits 77 (deny) or 75 (review, return mode: the request id is on
 * stderr; a unit approved beforehand runs once); nothing after it runs.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { isComplete } from '../../intent/index.js';
import { endSession, switchUserPrefix, type Account, type ExitInfo } from '../../pty/index.js';
import type { SessionChannel } from '../channel.js';
import type { RunningProcess } from '../process.js';
import { describeDecision, judgeUnit, type JudgeInput, type ShellContext } from './judge.js';
import { ReportReader } from './report.js';

export interface PipedShellOptions {
  readonly shell: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly account: Account | undefined;
  readonly judge: JudgeInput;
  readonly exitDenied: number;
  readonly exitReview: number;
}

/** eval re-parses exactly the unit text; non-interactive bash expands no aliases or history. */
const LOOP = `__bw_st=0
while IFS= builtin read -r -d '' -u 3 __bw_u; do
  builtin eval "$__bw_u"
  __bw_st=$?
  builtin printf '%s\\0' done "$__bw_st" "$PWD" "$PATH" "$(builtin declare -f)" >&4
done
builtin exit "$__bw_st"`;

const MAX_PENDING = 1024 * 1024;

export function runPipedShell(o: PipedShellOptions, channel: SessionChannel): RunningProcess {
  const argv = [...switchUserPrefix(o.account), o.shell, '--noprofile', '--norc', '-c', LOOP];
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: o.cwd, env: { ...o.env }, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true });
  const units = child.stdio[3] as Writable;
  const reports = child.stdio[4] as Readable;
  const reader = new ReportReader();
  let ctx: ShellContext = { cwd: o.cwd, path: o.env['PATH'] ?? '', functions: new Map() };
  let pending = '';
  let eof = false;
  let busy = true; // until the first unit is sent we wait for input, not a report
  let stopped: ExitInfo | undefined;
  let finish: (i: ExitInfo) => void = () => undefined;
  const exited = new Promise<ExitInfo>((r) => (finish = r));
  units.on('error', () => undefined);

  /** Ends the script with `info` as the session's status; `kill` also ends what is running. The
   * session ends on the child's 'close', after the last output byte was read. */
  const stop = (info: ExitInfo, kill = false) => {
    if (stopped) return;
    stopped = info;
    units.end();
    if (kill) void endSession(child.pid ?? -1);
  };

  /** Takes the next whole unit off `pending`, or undefined if more input is needed. */
  const nextUnit = (): string | undefined => {
    let from = 0;
    for (;;) {
      const nl = pending.indexOf('\n', from);
      if (nl < 0) {
        if (!eof || pending === '') return undefined;
        const u = pending;
        pending = '';
        return u;
      }
      const candidate = pending.slice(0, nl);
      if (isComplete(candidate)) {
        pending = pending.slice(nl + 1);
        return candidate;
      }
      from = nl + 1;
    }
  };

  const pump = () => {
    while (!busy && !stopped) {
      const unit = nextUnit();
      if (unit === undefined) {
        if (eof && pending === '') units.end();
        return;
      }
      if (unit.trim() === '') continue;
      const j = judgeUnit(o.judge, unit, ctx);
      // A review runs only with an approval of exactly this unit (consumed); no waiting here.
      if (j.decision.verdict !== 'allow' && !j.consumed) {
        channel.writeStderr(`${describeDecision(j)}\n`);
        return stop({ code: j.decision.verdict === 'review' ? o.exitReview : o.exitDenied, signal: undefined });
      }
      busy = true;
      units.write(`{ ${unit}\n} 3<&- 4>&- </dev/null\0`);
    }
  };

  reports.on('data', (d: Buffer) => {
    try {
      for (const r of reader.push(d)) {
        if (!busy) throw new Error('report without a unit');
        ctx = { cwd: r.cwd, path: r.path, functions: r.functions };
        busy = false;
      }
    } catch (err) {
      channel.writeStderr(`bulwark: shell driver protocol error: ${(err as Error).message}; the session is closed\n`);
      return stop({ code: 1, signal: undefined }, true);
    }
    pump();
  });
  channel.onData((d) => {
    pending += d.toString('utf8');
    if (pending.length > MAX_PENDING) {
      channel.writeStderr('bulwark: a unit on stdin is larger than 1 MiB; the session is closed\n');
      return stop({ code: 1, signal: undefined }, true);
    }
    pump();
  });
  channel.onEnd(() => {
    eof = true;
    pump();
  });
  child.stdout?.on('data', (d: Buffer) => {
    if (!channel.write(d)) child.stdout?.pause();
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (!channel.writeStderr(d)) child.stderr?.pause();
  });
  channel.onDrain(() => {
    child.stdout?.resume();
    child.stderr?.resume();
  });
  channel.onClose(() => stop({ code: 1, signal: undefined }, true));
  child.on('error', () => {
    stop({ code: 127, signal: undefined }, true);
    finish({ code: 127, signal: undefined });
  });
  child.on('close', (code, sig) => {
    // Background children of the script do not outlive the session.
    void endSession(child.pid ?? -1);
    finish(stopped ?? { code: sig ? undefined : code ?? 0, signal: sig ? sig.replace(/^SIG/, '') : undefined });
  });
  busy = false;
  return {
    pid: child.pid ?? -1,
    resize: () => undefined,
    signal: (s) => {
      try {
        process.kill(child.pid ?? -1, s);
      } catch {
        // gone
      }
    },
    kill: () => endSession(child.pid ?? -1),
    exited,
  };
}
