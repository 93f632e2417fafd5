/**
 * A hostile client in a guarded shell, through the real ssh client in a real terminal: resize
 * storms, a giant paste, raw escape noise, then a disconnect in the middle of a running command.
 * bulwark must keep serving and must leave no process of the session behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, startWithUser, type Bulwark } from './support/bulwark.js';
import { tempDir } from './support/keys.js';
import { PROMPT, sleep, SshTerminal } from './support/terminal.js';

const dir = tempDir();
let b: Bulwark;
let key: string;
let cert: string;

beforeAll(async () => {
  ({ b, key, cert } = await startWithUser(dir, { keyId: 'mallory@example.com', options: ['extension:kind@bulwark=human'] }));
});
afterAll(async () => {
  await b?.stop();
});

/** Pids whose command line contains `needle` (a unique sleep duration marks our processes). */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmd.includes(needle) && state !== 'Z') out.push(Number(e));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

describe('a hostile client in a guarded shell', () => {
  it('survives resize storms, a giant paste and escape noise, and a disconnect mid-command leaves no orphans', async () => {
    const t = new SshTerminal({ port: b.port, key, cert, cwd: dir });
    await t.waitFor(PROMPT);
    for (let i = 0; i < 300; i++) t.p.resize({ cols: 20 + (i % 200), rows: 5 + (i % 60) });
    // A 1 MiB bracketed paste of printable text with newlines, then Ctrl-C drops it.
    t.write(`\x1b[200~${'x'.repeat(1023).concat('\n').repeat(1024)}\x1b[201~`);
    // Escape noise: unknown CSI/OSC/DCS sequences, lone ESCs, C1 bytes, invalid UTF-8.
    t.write('\x1b[999;999;999X\x1b]0;title\x07\x1bP+q\x1b\\\x1b\x1b\x1b[\x9b\xff\xfe\x1b[?1049h');
    t.write('\x03');
    await sleep(300);
    t.p.resize({ cols: 100, rows: 30 });
    let from = t.out.length;
    t.write('\x15echo still-$((6*7))\r');
    await t.waitFor(/still-42\r\n/, from, 20_000);
    // A background and a foreground process, then the client vanishes mid-command.
    from = t.out.length;
    t.write('sleep 3131 & sleep 3132\r');
    for (let i = 0; i < 100 && processesWith('sleep 313').length < 2; i++) await sleep(50);
    expect(processesWith('sleep 313').length).toBe(2);
    t.p.kill('SIGKILL');
    await t.exited;
    for (let i = 0; i < 100 && processesWith('sleep 313').length > 0; i++) await sleep(50);
    expect(processesWith('sleep 313')).toEqual([]);
    await b.waitForLog((l) => l.event === 'session.end' && l['subject'] === 'mallory@example.com');
    // And bulwark serves the next client.
    expect(b.proc.exitCode).toBeNull();
    const r = await runSsh({ port: b.port, key, cert, command: 'echo next-client' });
    expect(r.stdout).toBe('next-client\n');
  }, 60_000);
});
