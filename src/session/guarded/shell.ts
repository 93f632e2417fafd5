/**
 * A guarded interactive shell: bulwark's line editor owns the prompt; Enter judges the whole parse
 * unit; an allowed unit goes to the shell driver exactly as typed; a denied one is explained in one
 * line and put back in the editor; one held for review waits with a live status line for an
 * approver (Ctrl-C cancels the request and puts the line back; keys typed meanwhile are dropped).
 * While a unit runs the client's keys go to it (the driver drains whatever it did not read before
 * the next prompt), and its output goes to the client.
 */
import { isComplete } from '../../intent/index.js';
import { LineEditor, type EditorEffect } from '../../lineeditor/index.js';
import type { Account, ExitInfo } from '../../pty/index.js';
import type { PtyRequest, SessionChannel } from '../channel.js';
import type { RunningProcess } from '../process.js';
import { completeLine } from './completion.js';
import { ShellDriver } from './driver.js';
import { describeDecision, judgeUnit, type JudgeInput, type ShellContext } from './judge.js';
import { waitForDecision, type Wait } from '../review.js';

export interface GuardedShellOptions {
  readonly shell: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly account: Account | undefined;
  readonly pty: PtyRequest;
  readonly judge: JudgeInput;
  /** For the prompt: `user@target`. */
  readonly user: string;
  readonly home: string;
}

const RED = '\x1b[1;31m';
const YELLOW = '\x1b[1;33m';
const RESET = '\x1b[0m';

function safeComplete(text: string): boolean {
  try {
    return isComplete(text);
  } catch {
    return true; // submitted anyway: the judge parses it again and fails closed
  }
}

export function promptText(user: string, target: string, cwd: string, home: string): string {
  const dir = home !== '/' && (cwd === home || cwd.startsWith(`${home}/`)) ? `~${cwd.slice(home.length)}` : cwd;
  return `${user}@${target}:${dir}$ `;
}

export function runGuardedShell(o: GuardedShellOptions, channel: SessionChannel): RunningProcess {
  const editor = new LineEditor({ columns: o.pty.cols, isComplete: safeComplete });
  let ctx: ShellContext | undefined;
  let lastStatus = 0;
  let unguarded: readonly string[] = [];
  let escTimer: NodeJS.Timeout | undefined;
  let finish: (info: ExitInfo) => void = () => undefined;
  const exited = new Promise<ExitInfo>((r) => (finish = r));
  let ended = false;
  /** A unit held for review that the user is waiting on; keys other than Ctrl-C are dropped. */
  let waiting: { id: string; text: string; wait: Wait } | undefined;
  const end = (info: ExitInfo) => {
    if (ended) return;
    ended = true;
    waiting?.wait.stop();
    if (escTimer) clearTimeout(escTimer);
    finish(info);
  };

  const perform = (fx: EditorEffect[]) => {
    for (const e of fx) {
      if (e.type === 'write') channel.write(e.data);
      else if (e.type === 'bell') channel.write('\x07');
      else if (e.type === 'submit') submit(e.text);
      else if (e.type === 'eof') void driver.kill().then(() => end({ code: lastStatus, signal: undefined }));
      else if (e.type === 'complete') {
        const c = ctx;
        if (c === undefined) perform(editor.completions([]));
        else void completeLine(e.text, e.cursor, c, o.home).then((list) => perform(editor.completions(list)), () => perform(editor.completions([])));
      }
    }
    if (escTimer) clearTimeout(escTimer);
    escTimer = editor.pendingEscape ? setTimeout(() => perform(editor.flushEscape()), 50) : undefined;
  };

  const showPrompt = () => perform(editor.prompt(promptText(o.user, o.judge.target.name, ctx?.cwd ?? o.cwd, o.home)));

  const submit = (text: string) => {
    if (text.trim() === '') return showPrompt();
    const j = judgeUnit(o.judge, text, ctx);
    if (j.decision.verdict === 'review' && !j.consumed && j.requestId !== undefined && o.judge.services.approvals) {
      channel.write(`${YELLOW}${describeDecision(j)}${RESET}\r\n`);
      return awaitApproval(j.requestId, text, j.interactive);
    }
    if (j.decision.verdict !== 'allow' && !j.consumed) {
      channel.write(`${j.decision.verdict === 'review' ? YELLOW : RED}${describeDecision(j)}${RESET}\r\n`);
      return perform(editor.restore(text));
    }
    run(text, j.interactive);
  };

  /** Live status until the request is decided, expires or the user presses Ctrl-C (cancel). On
   * approval the unit runs exactly as judged; otherwise the line is put back in the editor. */
  const awaitApproval = (id: string, text: string, interactive: readonly string[]) => {
    const a = o.judge.services.approvals;
    if (a === undefined) return;
    const status = (left: number) => channel.write(`\r\x1b[K${YELLOW}waiting for approval ${id} (${Math.ceil(left / 1000)} s left); Ctrl-C cancels${RESET}`);
    const ttl = (a.store.get(id)?.expiresAt ?? Date.now()) - Date.now();
    status(ttl);
    const wait = waitForDecision(a.store, id, ttl + 1000, status);
    waiting = { id, text, wait };
    void wait.done.then((w) => {
      if (ended || waiting?.id !== id) return;
      waiting = undefined;
      channel.write('\r\x1b[K');
      if (w.status === 'approved') {
        // Single use: this session takes the approval now, so a resend elsewhere cannot.
        const used = a.store.consume(o.judge.identity.subject, o.judge.target.name, w.request.commandHash);
        if (used !== undefined) {
          const by = w.request.decisions.filter((d) => d.verdict === 'approve').map((d) => d.by).join(', ');
          o.judge.writer?.note('review.consumed', { id });
          channel.write(`${YELLOW}bulwark: ${id} approved by ${by}; running it${RESET}\r\n`);
          // Nothing ran while waiting, so the context it was judged in still holds.
          return run(text, interactive);
        }
      }
      const last = w.status === 'timeout' ? undefined : w.request.decisions.at(-1);
      const why = w.status === 'denied' && last ? ` by ${last.by}${last.comment ? `: ${last.comment.replace(/[\u0000-\u001f\u007f]/g, ' ')}` : ''}` : '';
      channel.write(`${RED}bulwark: ${id} ${w.status === 'timeout' ? 'expired' : w.status}${why}${RESET}\r\n`);
      perform(editor.restore(text));
    });
  };

  const run = (text: string, interactive: readonly string[]) => {
    if (interactive.length > 0) {
      // Allowed for this identity by policy, but what is typed into it is not judged.
      unguarded = interactive;
      o.judge.writer?.note('unguarded', { programs: interactive, line: text });
      o.judge.log.warn('command.judged', { unguarded: true, programs: interactive, line: text }, 'session unguarded while a program reads commands of its own');
    }
    driver.run(text);
  };

  // Background output may split a UTF-8 character across PTY reads; the editor wants whole text.
  const background = new TextDecoder();
  const driver = new ShellDriver(
    { shell: o.shell, cwd: o.cwd, env: o.env, account: o.account, pty: o.pty },
    {
      output: (d) => channel.write(d),
      background: (d) => {
        if (!ended) perform(editor.interject(background.decode(d, { stream: true })));
      },
      ready: (report) => {
        ctx = { cwd: report.cwd, path: report.path, functions: report.functions };
        lastStatus = report.status;
        if (unguarded.length > 0) {
          o.judge.writer?.note('guarded', { programs: unguarded });
          unguarded = [];
        }
        showPrompt();
      },
      failure: (reason) => {
        o.judge.log.error('session.refused', { reason }, 'guarded shell protocol failure; session ended');
        channel.writeStderr(`\r\nbulwark: ${reason}; the session is closed\r\n`);
        end({ code: 1, signal: undefined });
      },
      exit: (info, whileRunning) => {
        if (!whileRunning) channel.writeStderr('\r\nbulwark: the shell ended unexpectedly\r\n');
        end(whileRunning ? info : { code: info.code ?? 1, signal: info.signal });
      },
    },
  );

  channel.onData((d) => {
    if (ended) return;
    if (waiting !== undefined) {
      if (!d.includes(3)) return;
      const w = waiting;
      waiting = undefined;
      w.wait.stop();
      o.judge.services.approvals?.store.cancel(w.id, o.judge.identity.subject);
      o.judge.writer?.note('review.cancelled', { id: w.id });
      channel.write(`\r\x1b[K${RED}bulwark: ${w.id} cancelled${RESET}\r\n`);
      return perform(editor.restore(w.text));
    }
    if (driver.input(d)) return;
    perform(editor.feed(d));
  });
  channel.onEnd(() => {
    // The client's EOF: to a running program it is the terminal's EOF character, at the prompt Ctrl-D.
    if (ended || driver.input(Buffer.from('\x04'))) return;
    perform(editor.feed('\x04'));
  });
  channel.onDrain(() => driver.resume());

  return {
    pid: driver.pid,
    resize: (cols, rows) => {
      driver.resize(cols, rows);
      if (!ended) perform(editor.resize(cols));
    },
    signal: (s) => driver.signal(s),
    kill: () => driver.kill(),
    exited,
  };
}
