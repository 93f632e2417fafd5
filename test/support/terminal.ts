/**
 * A real terminal for tests: node-pty running the real OpenSSH client with `-tt` into bulwark, so
 * a test types keys and reads the screen bytes exactly as a person (or a tmux-driving agent) would.
 */
import { expect } from 'vitest';
import { spawnPty, type PtyProcess } from '../../src/pty/index.js';
import { sshArgs } from './bulwark.js';

/** The guarded prompt's end: `$ ` then the editor's trailing escape sequences. */
export const PROMPT = /\$ (\x1b\[[0-9;]*[A-Za-z])*$/;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TerminalOptions {
  readonly port: number;
  readonly key: string;
  readonly cert: string;
  readonly cwd: string;
  readonly cols?: number;
  readonly rows?: number;
}

export class SshTerminal {
  out = '';
  readonly p: PtyProcess;
  readonly exited: Promise<unknown>;

  constructor(o: TerminalOptions) {
    this.p = spawnPty(
      { file: 'ssh', args: sshArgs({ port: o.port, key: o.key, cert: o.cert, extra: ['-tt'] }), cwd: o.cwd, env: { ...process.env, TERM: 'xterm' } as Record<string, string> },
      { cols: o.cols ?? 100, rows: o.rows ?? 30 },
    );
    this.p.onData((d) => (this.out += d.toString()));
    this.exited = new Promise((r) => this.p.onExit(r));
  }

  write(s: string): void {
    this.p.write(s);
  }

  /** Waits until the output since `from` matches, and returns the match. */
  async waitFor(re: RegExp, from = 0, ms = 10_000): Promise<RegExpExecArray> {
    for (let i = 0; i < ms / 25 && !re.test(this.out.slice(from)); i++) await sleep(25);
    const m = re.exec(this.out.slice(from));
    expect(m, this.out.slice(from)).not.toBeNull();
    return m as RegExpExecArray;
  }

  /** Clears the line (Ctrl-U), types `exit` and waits for ssh to end. */
  async close(): Promise<void> {
    this.write('\x15exit\r');
    await this.exited;
  }
}
