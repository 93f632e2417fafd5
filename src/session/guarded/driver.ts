/**
 * The shell driver of a guarded session: an interactive bash in the session PTY that only ever runs
 * units bulwark approved, delivered over a private FIFO (never typed into the tty, so no line
 * discipline, history or alias expansion can change them), and reports status/cwd/PATH/functions
 * after each. States: starting → idle → running → idle ... → closed.
 *
 * Running a unit: write `{ unit\n} 3<&- 4>&-` + NUL to `in`, then the trigger keys to the PTY.
 * Output up to the PS0 marker is readline redrawing the line (bulwark's editor already showed
 * it) and is dropped; after it output passes through and client keys go to the PTY. On the report
 * bulwark stops forwarding keys, sends a nonce over `in` and the sentinel through the PTY: the
 * driver discards tty input up to the sentinel, so no key typed during the command can reach
 * readline unjudged. The done marker on the tty says all of the command's output has been read.
 * Any violation (a report while idle, a malformed report, a timeout at start, the driver dying
 * while idle) ends the session with a reason: fail closed.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync, constants as fsc } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPty, endSession, type Account, type ExitInfo, type PtyProcess } from '../../pty/index.js';
import type { PtyRequest } from '../channel.js';
import { ACCEPT_KEYS, FETCH_KEYS, doneMarker, rcText, sentinel, startMarker } from './rc.js';
import { ReportReader, type DriverReport } from './report.js';
import { MarkerScanner } from './scan.js';

export interface DriverOptions {
  readonly shell: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly account: Account | undefined;
  readonly pty: PtyRequest;
  /** How long the shell may take to start and report (default 10 s). */
  readonly startTimeoutMs?: number;
}

export interface DriverEvents {
  /** Output of a running unit, for the client. */
  output(data: Buffer): boolean;
  /** The shell is idle (after start or after a unit): show a prompt. */
  ready(report: DriverReport, ranUnit: boolean): void;
  /** Output while no unit runs (a background job), for the client above the prompt. */
  background(data: Buffer): void;
  /** A protocol violation: the session must end with this reason. */
  failure(reason: string): void;
  /** The shell process ended (e.g. `exit`). */
  exit(info: ExitInfo, whileRunning: boolean): void;
}

export type DriverState = 'starting' | 'idle' | 'running' | 'closed';

/** The tty's echo of a sentinel, with ECHOCTL (`^[ ... ^G`) or raw. */
const SENTINEL_ECHO = /(?:\^\[|\x1b)\]bw;[0-9a-f]*(?:\^G|\x07)/g;

/** Makes a 0700 directory with the FIFOs and the rc file, owned by the shell's account. */
function makeControlDir(account: Account | undefined, token: string): { dir: string; rc: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-ctl-'));
  for (const f of ['in', 'out']) execFileSync('mkfifo', ['-m', '600', join(dir, f)]);
  const rc = join(dir, 'rc');
  writeFileSync(rc, rcText({ ctlDir: dir, token }), { mode: 0o600 });
  if (account !== undefined) for (const p of [dir, join(dir, 'in'), join(dir, 'out'), rc]) chownSync(p, account.uid, account.gid);
  return { dir, rc };
}

/** Opens our end of a FIFO without blocking (O_RDWR never waits for the peer) as a libuv pipe. */
function openFifo(path: string, dir: 'read' | 'write'): Socket {
  const fd = openSync(path, fsc.O_RDWR | fsc.O_NONBLOCK);
  try {
    // One direction only: a readable end on `in` would steal the units meant for the shell.
    return new Socket({ fd, readable: dir === 'read', writable: dir === 'write' });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

export class ShellDriver {
  state: DriverState = 'starting';
  private readonly pty: PtyProcess;
  private readonly toShell: Socket;
  private readonly fromShell: Socket;
  private readonly reports = new ReportReader();
  private readonly scanner = new MarkerScanner();
  private readonly startM: Buffer;
  private readonly doneM: Buffer;
  private dir: string | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  /** Within running: before PS0 (echo), after it (live). */
  private live = false;
  private reported: DriverReport | undefined;
  private doneSeen = false;
  private heldKeys: Buffer[] = [];

  constructor(private readonly o: DriverOptions, private readonly ev: DriverEvents) {
    const token = randomBytes(12).toString('hex');
    this.startM = Buffer.from(startMarker(token), 'latin1');
    this.doneM = Buffer.from(doneMarker(token), 'latin1');
    const ctl = makeControlDir(o.account, token);
    this.dir = ctl.dir;
    try {
      this.toShell = openFifo(join(ctl.dir, 'in'), 'write');
      this.fromShell = openFifo(join(ctl.dir, 'out'), 'read');
      this.pty = spawnPty({ file: o.shell, args: ['--noprofile', '--rcfile', ctl.rc, '-i'], cwd: o.cwd, env: o.env, ...(o.account ? { account: o.account } : {}) }, { cols: o.pty.cols, rows: o.pty.rows }, o.pty.term);
    } catch (err) {
      this.removeDir();
      throw err;
    }
    this.toShell.on('error', () => undefined);
    this.fromShell.on('error', (e) => this.fail(`driver channel error: ${e.message}`));
    this.fromShell.on('data', (d: Buffer) => this.onReportBytes(d));
    this.pty.onData((d) => this.onPtyOutput(d));
    this.pty.onExit((info) => this.onExit(info));
    this.startTimer = setTimeout(() => this.fail('the shell did not start in time'), o.startTimeoutMs ?? 10_000);
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** Runs an approved unit exactly as given. Only valid when idle. */
  run(unit: string): void {
    if (this.state !== 'idle') throw new Error(`run() while ${this.state}`);
    this.state = 'running';
    this.live = false;
    this.reported = undefined;
    this.doneSeen = false;
    this.scanner.reset();
    // The wrapper closes the control descriptors for everything the unit runs.
    this.toShell.write(`{ ${unit}\n} 3<&- 4>&-\0`);
    this.pty.write(FETCH_KEYS + ACCEPT_KEYS);
  }

  /** Client keys while a unit runs go to it; returns false when the caller must keep them. */
  input(data: Buffer): boolean {
    if (this.state !== 'running' || this.reported !== undefined) return false;
    if (!this.live) this.heldKeys.push(Buffer.from(data));
    else this.pty.write(data);
    return true;
  }

  resize(cols: number, rows: number): void {
    this.pty.resize({ cols, rows });
  }

  signal(s: NodeJS.Signals): void {
    this.pty.kill(s);
  }

  async kill(): Promise<void> {
    this.closeChannels();
    await endSession(this.pty.pid);
  }

  /** Resumes PTY reading after the client caught up. */
  resume(): void {
    this.pty.resume();
  }

  private onReportBytes(d: Buffer): void {
    let list: DriverReport[];
    try {
      list = this.reports.push(d);
    } catch (err) {
      return this.fail(`malformed report from the shell driver: ${(err as Error).message}`);
    }
    for (const r of list) {
      if (this.state === 'starting') {
        if (this.reported !== undefined) return this.fail('two reports at start');
        this.reported = r;
        this.removeDir(); // both ends are open now: nothing may open the FIFOs again
      } else if (this.state === 'running') {
        if (this.reported !== undefined) return this.fail('two reports for one unit');
        this.reported = r;
        this.heldKeys = [];
      } else {
        return this.fail(`report while ${this.state}`);
      }
      // Keys are no longer forwarded; the driver drains the tty up to this sentinel.
      const nonce = randomBytes(12).toString('hex');
      this.toShell.write(`${nonce}\0`);
      this.pty.write(sentinel(nonce));
      this.maybeIdle();
    }
  }

  private onPtyOutput(d: Buffer): void {
    let data: Buffer | undefined = d;
    while (data !== undefined && data.length > 0 && this.state !== 'closed') {
      if (this.state === 'idle' || this.doneSeen) return this.onIdleOutput(data);
      const echo = this.state === 'starting' || !this.live;
      const markers = echo ? [this.doneM, this.startM] : [this.doneM];
      const r = this.scanner.scan(data, markers);
      if (!echo && r.before.length > 0 && !this.ev.output(Buffer.from(r.before))) this.pty.pause();
      data = r.after;
      if (r.found === undefined) return;
      if (markers[r.found] === this.doneM) {
        this.doneSeen = true;
        this.maybeIdle();
      } else if (this.state === 'running') {
        this.live = true;
        for (const k of this.heldKeys.splice(0)) this.pty.write(k);
      }
    }
  }

  /**
   * Between units the only bytes the shell itself puts on the tty are echoes of a sentinel that
   * arrived before the drain's first silent read; anything else is a background job's output.
   * Known limit: an echo split across two PTY reads would show its fragments.
   */
  private onIdleOutput(data: Buffer): void {
    const rest = data.toString('latin1').replace(SENTINEL_ECHO, '');
    if (rest.length > 0) this.ev.background(Buffer.from(rest, 'latin1'));
  }

  private maybeIdle(): void {
    if (!this.doneSeen || this.reported === undefined) return;
    const ran = this.state === 'running';
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = undefined;
    const report = this.reported;
    this.state = 'idle';
    this.doneSeen = false;
    this.reported = undefined;
    this.scanner.reset();
    this.ev.ready(report, ran);
  }

  private onExit(info: ExitInfo): void {
    if (this.state === 'closed') return;
    const running = this.state === 'running';
    this.state = 'closed';
    this.closeChannels();
    this.ev.exit(info, running);
  }

  private fail(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeChannels();
    this.ev.failure(reason);
    void endSession(this.pty.pid);
  }

  private closeChannels(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.toShell.destroy();
    this.fromShell.destroy();
    this.removeDir();
  }

  private removeDir(): void {
    if (this.dir === undefined) return;
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
