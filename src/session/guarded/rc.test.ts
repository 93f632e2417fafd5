/**
 * The driver's start-up file against a real interactive bash in a real PTY, with the test playing
 * bulwark's side of the FIFOs by hand, so it can hold the handshake at any step.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, writeFileSync, constants as fsc } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnPty, type PtyProcess } from '../../pty/index.js';
import { ACCEPT_KEYS, FETCH_KEYS, rcText, sentinel } from './rc.js';

const live: PtyProcess[] = [];
afterEach(() => {
  for (const p of live.splice(0)) p.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fifo(path: string, readable: boolean): Socket {
  return new Socket({ fd: openSync(path, fsc.O_RDWR | fsc.O_NONBLOCK), readable, writable: !readable });
}

function startDriver() {
  const dir = mkdtempSync(join(tmpdir(), 'bw-rc-'));
  for (const f of ['in', 'out']) execFileSync('mkfifo', ['-m', '600', join(dir, f)]);
  const rc = join(dir, 'rc');
  writeFileSync(rc, rcText({ ctlDir: dir, token: 'abc123' }));
  const toShell = fifo(join(dir, 'in'), false);
  const fromShell = fifo(join(dir, 'out'), true);
  const p = spawnPty({ file: '/bin/bash', args: ['--noprofile', '--rcfile', rc, '-i'], cwd: dir, env: { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: dir } }, { cols: 80, rows: 24 });
  live.push(p);
  const reports: string[][] = [];
  let buf = '';
  fromShell.on('data', (d: Buffer) => {
    buf += d.toString();
    const fields = buf.split('\0');
    // A report is 5 NUL-terminated fields: done, status, PWD, PATH, functions.
    while (fields.length > 5) {
      reports.push(fields.splice(0, 5));
      buf = fields.join('\0');
    }
  });
  const until = async (n: number) => {
    for (let i = 0; i < 200 && reports.length < n; i++) await sleep(10);
    expect(reports.length).toBeGreaterThanOrEqual(n);
  };
  return { dir, p, toShell, reports, until };
}

describe('driver rc', () => {
  it('a Ctrl-C during the post-command handshake neither restarts it nor lets typed keys run', async () => {
    const d = startDriver();
    await d.until(1);
    // The driver now waits for the nonce. Hold it back; deliver Ctrl-C and a typed command line.
    d.p.write('\x03');
    await sleep(200);
    d.p.write(`touch ${d.dir}/pwned\r`);
    await sleep(300);
    // Without the SIGINT guard bash re-runs PROMPT_COMMAND, which sends a second report.
    expect(d.reports.length).toBe(1);
    d.toShell.write('n1\0');
    d.p.write(sentinel('n1'));
    await sleep(200);
    d.toShell.write(`echo ok > ${d.dir}/ran\0`);
    d.p.write(FETCH_KEYS + ACCEPT_KEYS);
    await d.until(2);
    expect(d.reports[1]?.[1]).toBe('0');
    expect(existsSync(join(d.dir, 'ran'))).toBe(true);
    expect(existsSync(join(d.dir, 'pwned'))).toBe(false);
  });
});
