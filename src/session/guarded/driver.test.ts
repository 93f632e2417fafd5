/** The shell driver against a real bash in a real PTY: delivery, reports, job control, drain. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ShellDriver } from './driver.js';
import type { DriverReport } from './report.js';
import { MarkerScanner } from './scan.js';
import { parseFunctions, ReportReader } from './report.js';

interface Harness {
  d: ShellDriver;
  out: () => string;
  bg: () => string;
  next: () => Promise<DriverReport>;
  failures: string[];
}

const drivers: ShellDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.kill();
});

function start(cwd: string): Harness {
  let out = '';
  let bg = '';
  let waiting: ((r: DriverReport) => void) | undefined;
  const failures: string[] = [];
  const d = new ShellDriver(
    { shell: '/bin/bash', cwd, env: { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: cwd }, account: undefined, pty: { term: 'xterm', cols: 80, rows: 24 } },
    {
      output: (b) => ((out += b.toString()), true),
      background: (b) => (bg += b.toString()),
      ready: (r) => waiting?.(r),
      failure: (reason) => failures.push(reason),
      exit: () => undefined,
    },
  );
  drivers.push(d);
  return { d, out: () => out, bg: () => bg, next: () => new Promise((r) => (waiting = r)), failures };
}

async function run(h: Harness, unit: string, keys?: string, delay = 300): Promise<{ r: DriverReport; out: string }> {
  await Promise.resolve();
  const before = h.out().length;
  const p = h.next();
  h.d.run(unit);
  if (keys !== undefined) setTimeout(() => h.d.input(Buffer.from(keys)), delay);
  const r = await p;
  return { r, out: h.out().slice(before) };
}

describe('ShellDriver', () => {
  it('runs units exactly, reports state, keeps control bytes literal and expands nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drv-'));
    const h = start(dir);
    const first = await h.next();
    expect(first.cwd).toBe(dir);
    let x = await run(h, 'echo hello; cd /usr');
    expect(x.out).toBe('hello\r\n');
    expect(x.r.cwd).toBe('/usr');
    x = await run(h, 'f() { echo fn; }; f');
    expect(x.out).toBe('fn\r\n');
    expect([...x.r.functions.keys()]).toEqual(['f']);
    x = await run(h, 'printf "%s" "a\x15b\x17c\x16d\x7fe" | od -An -c | tr -s " "');
    expect(x.out).toContain('a 025 b 027 c 026 d 177 e');
    x = await run(h, `echo ${'y'.repeat(5000)} | wc -c`);
    expect(x.out.trim()).toBe('5001');
    x = await run(h, 'echo !!; alias ll=ls; ll');
    expect(x.out).toContain('!!\r\n');
    expect(x.out).toContain('ll: command not found');
    x = await run(h, 'ls /proc/$$/fd/ | tr "\\n" " "; echo; cat <&3');
    expect(x.out).toContain('Bad file descriptor');
    expect(h.failures).toEqual([]);
  });

  it('passes on what a background job prints between units, and nothing of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drv-'));
    const h = start(dir);
    await h.next();
    for (let i = 0; i < 5; i++) await run(h, `echo unit-${i}`);
    await run(h, '(sleep 0.3; echo bg-late) &');
    for (let i = 0; i < 60 && !h.bg().includes('bg-late'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(h.bg()).toContain('bg-late');
    // Sentinel echoes (^[]bw;... or raw) never reach the client.
    expect(h.bg()).not.toMatch(/bw;|\x1b\]bw/);
    expect(h.failures).toEqual([]);
  });

  it('drains keys typed while a command ran; Ctrl-C and Ctrl-Z keep the loop alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drv-'));
    const h = start(dir);
    await h.next();
    let x = await run(h, 'sleep 1', `echo typed > ${dir}/pwned\r`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    x = await run(h, 'sleep 5', '\x03');
    expect(x.r.status).toBe(130);
    x = await run(h, 'sleep 5', '\x1a');
    expect(x.r.status).toBe(148);
    x = await run(h, 'jobs; kill %1');
    expect(x.out).toContain('Stopped');
    x = await run(h, 'echo still-here');
    expect(x.out).toBe('still-here\r\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  }, 20_000);
});

describe('report framing and markers', () => {
  it('parses reports split anywhere and refuses garbage', () => {
    const r = new ReportReader();
    const wire = Buffer.from('done\u00000\u0000/tmp\u0000/bin\u0000g () \n{ \n    ls\n}\n__bw_x () \n{ \n    :\n}\n\u0000');
    const got = [...wire].flatMap((b) => r.push(Buffer.from([b])));
    expect(got).toHaveLength(1);
    expect(got[0]?.cwd).toBe('/tmp');
    expect([...(got[0]?.functions.keys() ?? [])]).toEqual(['g']);
    expect(() => new ReportReader().push(Buffer.from('evil\u0000'))).toThrow();
    expect(() => new ReportReader().push(Buffer.from('done\u0000x\u0000a\u0000b\u0000c\u0000'))).toThrow();
    expect(parseFunctions('h () \n{ \n    echo\n}\n').get('h')).toBe('{ \n    echo\n}');
  });

  it('finds a marker split across reads and releases other bytes at once', () => {
    const s = new MarkerScanner();
    const m = Buffer.from('\x1b]bw1;ab\x07');
    expect(s.scan(Buffer.from('out\x1b]bw'), [m]).before.toString()).toBe('out');
    const r = s.scan(Buffer.from('1;ab\x07rest'), [m]);
    expect(r.found).toBe(0);
    expect(r.after?.toString()).toBe('rest');
    expect(s.scan(Buffer.from('\x1b]x'), [m]).before.toString()).toBe('\x1b]x');
  });
});
