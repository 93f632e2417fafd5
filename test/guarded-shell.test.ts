/**
 * Guarded interactive shells through the real OpenSSH client in a real terminal (`ssh -tt` in a
 * PTY): bulwark's editor at the prompt, judgment on Enter, the driver running what was allowed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, startWithHumanAndAgent, type Bulwark } from './support/bulwark.js';
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

/** A real terminal running `ssh -tt` into bulwark, typing whole lines. */
class Term extends SshTerminal {
  constructor(k: string, cert: string) {
    super({ port: b.port, key: k, cert, cwd: dir });
  }
  /** Types a line, presses Enter and waits for the next prompt. */
  async run(line: string, expectRe?: RegExp): Promise<string> {
    const from = this.out.length;
    this.write(`${line}\r`);
    await this.waitFor(PROMPT, from);
    const got = this.out.slice(from);
    if (expectRe) expect(got).toMatch(expectRe);
    return got;
  }
}

describe('guarded interactive shell', () => {
  it('shows what a background job prints while the prompt is up, keeps the line being typed, and records it', async () => {
    const t = new Term(key, human);
    await t.waitFor(PROMPT);
    await t.run('(sleep 0.5; echo bg-late-$((6*7))) &');
    const from = t.out.length;
    t.write('echo still-typing');
    await t.waitFor(/bg-late-42/, from);
    await t.run('', /still-typing\r\n/);
    await t.close();
    await new Promise((r) => setTimeout(r, 300));
    const casts = readdirSync(join(dir, 'recordings')).filter((f) => f.endsWith('.cast'));
    expect(casts.some((f) => readFileSync(join(dir, 'recordings', f), 'utf8').includes('bg-late-42'))).toBe(true);
  });

  it('shows a prompt, edits with the usual keys, completes with Tab and recalls history', async () => {
    const t = new Term(key, human);
    await t.waitFor(/deploy@local:~\$ /);
    // ← ← ← then insert: "echo wrld" becomes "echo world"
    await t.run('echo wrld\x1b[D\x1b[D\x1b[Do', /world\r\n/);
    // Ctrl-U kills the typed garbage, Ctrl-A/Ctrl-E move
    await t.run('garbage\x15 ok-$((1+1))\x01echo\x05', /ok-2\r\n/);
    // ↑ recalls the previous line
    const again = await t.run('\x1b[A', /ok-2\r\n/);
    expect(again).toContain('ok-$((1+1))');
    // Tab completes a command name from the shell's PATH
    let from = t.out.length;
    t.write('whoam\t');
    await t.waitFor(/whoami /, from);
    await t.run('>/dev/null; echo completed', /completed\r\n/);
    // continuation prompt for an unfinished quote
    from = t.out.length;
    t.write('echo "first\r');
    await t.waitFor(/\r\n> /, from);
    await t.run('second"', /first\r\nsecond\r\n/);
    // bracketed paste with embedded newlines: nothing runs until Enter, then the whole unit
    from = t.out.length;
    t.write('\x1b[200~echo p-one\necho p-two\x1b[201~');
    await sleep(300);
    expect(t.out.slice(from)).not.toMatch(/p-one\r\n/);
    await t.run('', /p-one\r\np-two\r\n/);
    await t.close();
  }, 30_000);

  it('interrupts a running sleep with Ctrl-C and keeps the session usable', async () => {
    const t = new Term(key, human);
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.write('sleep 30\r');
    await sleep(400);
    t.write('\x03');
    await t.waitFor(PROMPT, from, 5000);
    await t.run('echo "status=$?"', /status=130/);
    await t.close();
  }, 20_000);

  it('runs less and vim full-screen and comes back to the prompt', async () => {
    const t = new Term(key, human);
    await t.waitFor(PROMPT);
    let from = t.out.length;
    t.write('seq 1 200 | less\r');
    await t.waitFor(/\b1\r\n2\r\n3\r\n/, from);
    t.write('q');
    await t.waitFor(PROMPT, from);
    from = t.out.length;
    t.write('vim -u NONE -n guarded-vim.txt\r');
    await t.waitFor(/guarded-vim\.txt/, from);
    await sleep(300);
    t.write('ihello-from-vim\x1b:wq\r');
    await t.waitFor(PROMPT, from);
    await t.run('cat guarded-vim.txt', /hello-from-vim\r\n/);
    await t.close();
  }, 30_000);

  it('denies psql DROP TABLE for an agent with one coloured line, keeps the line, stays usable', async () => {
    const t = new Term(agentKey, agent);
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.write('psql -c "DROP TABLE users"\r');
    await t.waitFor(/\x1b\[1;31mbulwark: denied destroy\.database .*by rule agents\.destroy: .*\x1b\[0m\r\n/, from);
    // the line is back in the editor for fixing
    await t.waitFor(/\$ psql -c "DROP TABLE users"\x1b\[J$/, from);
    await t.run('\x15echo usable', /usable\r\n/);
    const judged = await b.waitForLog((l) => l.event === 'command.judged' && l['verdict'] === 'deny' && String(l['line']).includes('DROP TABLE'));
    expect(judged).toMatchObject({ rule: 'agents.destroy', subject: 'bot@example.com', categories: ['destroy.database'] });
    await t.close();
  }, 20_000);

});

describe('shell without a terminal: a script on stdin, judged unit by unit', () => {
  it('runs allowed units in one shell (state carries over) and returns the last status', async () => {
    const script = 'cd /usr\nf() { echo "in $PWD"; }\nif true; then\n  f\nfi\ncat <<EOF\nheredoc-body\nEOF\nhead -c 3\necho after-head\n(exit 4)\n';
    const r = await runSsh({ port: b.port, key: agentKey, cert: agent, extra: ['-T'], input: script });
    // head reads /dev/null, never the next unit, so the script stays intact
    expect(r.stdout, r.stderr).toBe('in /usr\nheredoc-body\nafter-head\n');
    expect(r.code).toBe(4);
  });

  it('stops at the first denied unit: 77, the reason on stderr, nothing after it runs', async () => {
    const r = await runSsh({ port: b.port, key: agentKey, cert: agent, extra: ['-T'], input: 'mkdir -p piped-victim && touch piped-victim/keep\necho before\nrm -rf piped-victim\necho after\n' });
    expect(r.code).toBe(77);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(/denied destroy\.filesystem .*by rule agents\.destroy/);
    const check = await runSsh({ port: b.port, key: agentKey, cert: agent, command: 'ls piped-victim' });
    expect(check.stdout).toBe('keep\n');
  });

  it('an unfinished unit at end of input is denied, not run', async () => {
    const r = await runSsh({ port: b.port, key: agentKey, cert: agent, extra: ['-T'], input: 'echo ok\necho "unterminated\n' });
    expect(r.stdout).toBe('ok\n');
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/incomplete/);
  });
});

describe('judged exec', () => {
  it('denies with 77 and the rule on stderr; nothing runs', async () => {
    const r = await runSsh({ port: b.port, key: agentKey, cert: agent, command: 'touch exec-ran; rm -rf exec-victim' });
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/denied destroy\.filesystem .*by rule agents\.destroy/);
    const check = await runSsh({ port: b.port, key: agentKey, cert: agent, command: 'ls exec-ran 2>&1 || echo absent' });
    expect(check.stdout).toContain('absent');
  });

  it('holds for review with 75 and a request id', async () => {
    const r = await runSsh({ port: b.port, key, cert: human, command: 'rm -rf exec-victim' });
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/held for review .*request [0-9a-f]{12} by rule humans\./);
  });

  it('runs an allowed command as before and audits the judgement', async () => {
    const r = await runSsh({ port: b.port, key: agentKey, cert: agent, command: 'echo allowed-$((20+1))' });
    expect(r.stdout).toBe('allowed-21\n');
    expect(r.code).toBe(0);
    await b.waitForLog((l) => l.event === 'command.judged' && l['verdict'] === 'allow' && l['line'] === 'echo allowed-$((20+1))' && l['mode'] === 'exec');
  });
});
