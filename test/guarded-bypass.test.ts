/**
 * Bypass attempts inside a guarded shell, through the real ssh client in a real terminal. Each
 * test makes a victim directory with an allowed command, tries to delete it in a way the judge
 * must not miss (the shipped agent policy denies `rm -rf` of a relative path), and proves through
 * the victim's marker file that nothing dangerous ran.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithHumanAndAgent, type Bulwark } from './support/bulwark.js';
import { tempDir } from './support/keys.js';
import { PROMPT, sleep, SshTerminal } from './support/terminal.js';

const dir = tempDir();
let b: Bulwark;
let key: string;
let human: string;
let agentKey: string;
let agent: string;

beforeAll(async () => {
  const s = await startWithHumanAndAgent(dir);
  ({ b } = s);
  ({ key, cert: human } = s.human);
  ({ key: agentKey, cert: agent } = s.agent);
});
afterAll(async () => {
  await b?.stop();
});

/** A unit was handled: submitted (paste mode off), then a new prompt drawn, possibly holding the
 * line put back after a deny. */
const HANDLED = /\x1b\[\?2004l[\s\S]*\x1b\[\?2004h\r[\s\S]*\x1b\[J$/;

class Term extends SshTerminal {
  cwd = '';
  constructor(k: string, cert: string) {
    super({ port: b.port, key: k, cert, cwd: dir });
  }
  /** Clears what a deny put back (Ctrl-U), types the line, presses Enter, waits until handled. */
  async run(line: string, expectRe?: RegExp): Promise<string> {
    const from = this.out.length;
    this.p.write(`\x15${line}\r`);
    await this.waitFor(HANDLED, from);
    const got = this.out.slice(from);
    if (expectRe) expect(got).toMatch(expectRe);
    return got;
  }
  /** Logs in, learns the shell's cwd and makes the victim directory with its marker file. */
  async victim(name: string): Promise<string> {
    await this.waitFor(PROMPT);
    const m = /cwd=(\/[^\s"]*)\r\n/.exec(await this.run('echo "cwd=$PWD"'));
    this.cwd = m?.[1] ?? '';
    await this.run(`mkdir -p ${name} && touch ${name}/keep && echo made`, /made\r\n/);
    expect(existsSync(join(this.cwd, name, 'keep')), `${this.cwd} ${JSON.stringify(this.out)}`).toBe(true);
    return name;
  }
  survived(name: string): boolean {
    return existsSync(join(this.cwd, name, 'keep'));
  }
}

async function withAgent(name: string, body: (t: Term, v: string) => Promise<void>): Promise<void> {
  const t = new Term(agentKey, agent);
  const v = await t.victim(name);
  await body(t, v);
  await t.run('echo alive', /alive\r\n/);
  expect(t.survived(v)).toBe(true);
  await t.close();
}

describe('bypass attempts in a guarded shell (agent policy)', () => {
  it('the judge sees the edited line: ^U ^W ^V DEL inside a line are editing keys, never tty editing', async () => {
    await withAgent('v-ctl', async (t, v) => {
      // What runs is what the editor showed: "echo fine", never the killed text.
      await t.run(`rm -rf ${v}\x15echo fine`, /fine\r\n/);
      await t.run(`echo a rm -rf ${v}\x17\x17\x17\x16\x7f\x7fsafe`, /\x1b\[\?2004lsafe\r\n/);
      await t.run(`echo "x\x16\x07"; rm -rf ${v}`, /denied destroy\.filesystem/);
    });
  });

  it('a 5,000-byte line is judged and run whole (no 4095-byte truncation)', async () => {
    await withAgent('v-long', async (t, v) => {
      await t.run(`echo ${'y'.repeat(5000)} | wc -c`, /\x1b\[\?2004l5001\r\n/);
      await t.run(`echo ${'z'.repeat(5000)}; rm -rf ${v}`, /denied destroy\.filesystem/);
    });
  }, 20_000);

  it('an unfinished quote followed by a dangerous line is one unit: the quote swallows it', async () => {
    await withAgent('v-quote', async (t, v) => {
      const from = t.out.length;
      t.p.write('echo "start\r');
      await t.waitFor(/\r\n> /, from);
      t.p.write(`rm -rf ${v}\r`);
      await sleep(100);
      await t.run('end"', new RegExp(`start\\r\\nrm -rf ${v}\\r\\nend\\r\\n`));
    });
  });

  it('alias and function shadowing: aliases are refused, a shadowing function is judged by its body', async () => {
    await withAgent('v-shadow', async (t, v) => {
      await t.run(`alias ls='rm -rf ${v}'`, /denied evasion/);
      await t.run('ls >/dev/null; echo listed', /listed\r\n/);
      await t.run(`ls() { rm -rf ${v}; }`, /denied evasion/);
      await t.run('ls >/dev/null; echo real-ls', /real-ls\r\n/);
      // A function that shadows nothing may be defined; calling it is judged by its body, which
      // the judge knows from the shell's own report (declare -f), not from a guess.
      await t.run(`tidy() { rm -rf ${v}; }; echo defined`, /defined\r\n/);
      await t.run('tidy', /denied destroy\.filesystem/);
    });
  });

  it('eval of a variable set earlier, and the variable as a command, are denied', async () => {
    await withAgent('v-eval', async (t, v) => {
      await t.run(`X="rm -rf ${v}"; echo set`, /set\r\n/);
      await t.run('eval "$X"', /denied evasion/);
      await t.run('$X', /denied evasion/);
    });
  });

  it('PATH pointing to a planted binary: the planted program is not run', async () => {
    await withAgent('v-path', async (t, v) => {
      await t.run(`mkdir -p bin && printf '#!/bin/sh\\nrm -rf ${v}\\n' > bin/ls && chmod +x bin/ls && echo planted`, /planted\r\n/);
      await t.run('PATH=$PWD/bin:$PATH; echo path-set', /path-set\r\n/);
      await t.run('ls', /denied evasion .*by rule agents\.evasion/);
    });
  });

  it('!! and !$ are not history expansion', async () => {
    await withAgent('v-bang', async (t, v) => {
      await t.run(`echo rm -rf ${v}`, new RegExp(`rm -rf ${v}\\r\\n`));
      await t.run('!!', /!!: command not found/);
      await t.run('echo !$', /!\$\r\n/);
    });
  });

  it('a script written, then executed, is judged by its content or refused', async () => {
    await withAgent('v-script', async (t, v) => {
      await t.run(`printf 'rm -rf ${v}\\n' > s.sh && chmod +x s.sh && echo written`, /written\r\n/);
      await t.run('bash s.sh', /denied destroy\.filesystem/);
      await t.run('./s.sh', /denied/);
      await t.run('. ./s.sh', /denied/);
    });
  });

  it('bracketed paste with embedded newlines is judged as one unit on Enter', async () => {
    await withAgent('v-paste', async (t, v) => {
      const from = t.out.length;
      t.p.write(`\x1b[200~echo pasted-one\nrm -rf ${v}\necho pasted-two\x1b[201~`);
      await sleep(200);
      t.p.write('\r');
      await t.waitFor(HANDLED, from);
      const got = t.out.slice(from);
      expect(got).toMatch(/denied destroy\.filesystem/);
      // the whole paste was put back; Ctrl-C discards it
      const at = t.out.length;
      t.p.write('\x03');
      await t.waitFor(PROMPT, at);
      expect(got).not.toMatch(/pasted-one\r\n/);
      expect(t.out.slice(from)).not.toMatch(/pasted-two\r\n/);
    });
  });

  it('exec bash (replacing the driver with an unguarded shell) is denied', async () => {
    await withAgent('v-exec', async (t) => {
      await t.run('exec bash', /denied/);
      await t.run('bash', /denied .*agents\.no-interactive/);
    });
  });

  it('a dangerous line typed ahead while sleep 2 runs never reaches the shell', async () => {
    await withAgent('v-ahead', async (t, v) => {
      const from = t.out.length;
      t.p.write('sleep 2\r');
      await sleep(500);
      t.p.write(`rm -rf ${v}\r`);
      await t.waitFor(PROMPT, from, 8000);
      await sleep(300);
      expect(t.survived(v)).toBe(true);
    });
  }, 20_000);

  it('the control channel is out of reach: /proc/$$/fd/N and <&N', async () => {
    await withAgent('v-fd', async (t) => {
      await t.run('echo "rm -rf v-fd" > /proc/$$/fd/3', /denied evasion/);
      await t.run('cat <&4', /denied evasion/);
    });
  });
});

describe('human sessions', () => {
  it('a pager shell escape (less !cmd) runs nothing: sessions run pagers in secure mode', async () => {
    const t = new Term(key, human);
    const v = await t.victim('v-less');
    const from = t.out.length;
    t.p.write(`\x15less ${v}/keep\r`);
    await t.waitFor(/END|keep/, from);
    t.p.write(`!rm -rf ${v}\r`);
    await t.waitFor(/Command not available/, from);
    t.p.write('q');
    await t.waitFor(PROMPT, from);
    expect(t.survived(v)).toBe(true);
    await t.run('echo alive', /alive\r\n/);
    await t.close();
  });

  it('a human starting an interactive program is marked unguarded in the audit log', async () => {
    const t = new Term(key, human);
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.p.write('bash --norc --noprofile\r');
    await sleep(500);
    t.p.write('echo inner-$((2+3)); exit\r');
    await t.waitFor(/inner-5/, from);
    await t.waitFor(PROMPT, from);
    await b.waitForLog((l) => l.event === 'command.judged' && l['unguarded'] === true && l['subject'] === 'alice@example.com');
    await t.run('echo "back=$?"', /back=0/);
    t.p.write('\x15exit\r');
    await t.exited;
  });
});
