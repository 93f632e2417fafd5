/**
 * Guarded-session latency, measured with a scripted client on the session's own channel (no ssh
 * in between, so only what bulwark adds is measured):
 * - keystroke echo at the guarded prompt: a byte in → its echo out (bulwark's editor answers; a
 *   plain shell would have readline echo it, timed the same way as the baseline);
 * - Enter to command start: Enter in → first output byte of `printf S` (judge + FIFO delivery +
 *   readline accept), against the same line typed into a plain `bash` in a PTY.
 * Targets (issue 5): < 2 ms added at p99 per keystroke, < 5 ms Enter-to-start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from '../src/audit/index.js';
import type { Identity } from '../src/core/index.js';
import { createAnalyzer } from '../src/intent/index.js';
import { PolicyStore } from '../src/policy/index.js';
import { spawnPty } from '../src/pty/index.js';
import type { SessionChannel } from '../src/session/index.js';
import { runGuardedShell } from '../src/session/guarded/shell.js';
import { fmt, summarize } from './stats.js';

const KEYS = Number(process.env['BULWARK_BENCH_KEYS'] ?? 400);
const ENTERS = Number(process.env['BULWARK_BENCH_ENTERS'] ?? 100);

/** Feeds bytes and resolves when the output since the write matches. */
class Probe {
  private buf = '';
  private waiter: { re: RegExp; resolve: () => void } | undefined;
  push(d: Buffer | string): void {
    this.buf += d.toString();
    if (this.waiter && this.waiter.re.test(this.buf)) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }
  async timed(write: () => void, re: RegExp): Promise<number> {
    this.buf = '';
    const done = new Promise<void>((resolve) => (this.waiter = { re, resolve }));
    const t0 = process.hrtime.bigint();
    write();
    await done;
    return Number(process.hrtime.bigint() - t0);
  }
  async until(re: RegExp): Promise<void> {
    if (re.test(this.buf)) return;
    await new Promise<void>((resolve) => (this.waiter = { re, resolve }));
  }
}

async function guarded(): Promise<{ keys: number[]; enters: number[] }> {
  const probe = new Probe();
  let onData: (d: Buffer) => void = () => undefined;
  const channel: SessionChannel = {
    write: (d) => (probe.push(d), true),
    writeStderr: (d) => (probe.push(d), true),
    onData: (cb) => (onData = cb),
    onEnd: () => undefined,
    onClose: () => undefined,
    onDrain: () => undefined,
    exit: () => undefined,
  };
  const analyzer = await createAnalyzer();
  for (let i = 0; i < 50; i++) analyzer.analyze(`printf S${i}`);
  const policies = await PolicyStore.open(join(import.meta.dirname, '..', 'policies'), { watch: false });
  const identity: Identity = {
    subject: 'bench@example.com', kind: 'human', groups: [], principal: 'bench', serial: '1', caFingerprint: 'SHA256:x',
    keyFingerprint: 'SHA256:y', source: { address: '127.0.0.1', port: 1 }, validBefore: Date.now() + 3_600_000,
  };
  const cwd = mkdtempSync(join(tmpdir(), 'bulwark-bench-'));
  const proc = runGuardedShell(
    {
      shell: '/bin/bash', cwd, env: { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: cwd }, account: undefined,
      pty: { term: 'xterm', cols: 200, rows: 50 }, user: 'bench', home: cwd,
      judge: {
        services: { analyzer, engine: () => policies.engine }, identity, mode: 'interactive', writer: undefined,
        target: { name: 'local', environment: 'development', labels: [], allowRoot: false, shell: '/bin/bash' },
        log: createAuditLog({ level: 'silent' }),
      },
    },
    channel,
  );
  await probe.until(/\$ /);
  const keys: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const c = String.fromCharCode(97 + (i % 26));
    keys.push(await probe.timed(() => onData(Buffer.from(c)), new RegExp(c)));
    if (i % 50 === 49 || i === KEYS - 1) await probe.timed(() => onData(Buffer.from('\x15')), /\$ /);
  }
  const enters: number[] = [];
  for (let i = 0; i < ENTERS; i++) {
    const line = `printf S${i}`;
    await probe.timed(() => onData(Buffer.from(line)), new RegExp(`S${i}`));
    enters.push(await probe.timed(() => onData(Buffer.from('\r')), new RegExp(`S${i}`)));
    await probe.until(/\$ \x1b\[J$/);
  }
  await proc.kill();
  policies.close();
  return { keys, enters };
}

async function plain(): Promise<{ keys: number[]; enters: number[] }> {
  const probe = new Probe();
  const p = spawnPty({ file: '/bin/bash', args: ['--norc', '--noprofile', '-i'], cwd: tmpdir(), env: { PATH: '/usr/bin:/bin', TERM: 'xterm', PS1: 'P$ ' } }, { cols: 200, rows: 50 });
  p.onData((d) => probe.push(d));
  await probe.until(/P\$ /);
  const keys: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const c = String.fromCharCode(97 + (i % 26));
    keys.push(await probe.timed(() => p.write(c), new RegExp(c)));
    if (i % 50 === 49 || i === KEYS - 1) await probe.timed(() => p.write('\x15'), /\x1b\[K|\x08|P\$ /);
  }
  await new Promise((r) => setTimeout(r, 100));
  const enters: number[] = [];
  for (let i = 0; i < ENTERS; i++) {
    const line = `printf S${i}`;
    await probe.timed(() => p.write(line), new RegExp(`S${i}`));
    enters.push(await probe.timed(() => p.write('\r'), new RegExp(`S${i}`)));
    await probe.until(/P\$ $/);
  }
  p.kill('SIGKILL');
  return { keys, enters };
}

export async function run(): Promise<void> {
  const base = await plain();
  const g = await guarded();
  const row = (name: string, s: number[]) => {
    const x = summarize(s);
    console.log(`${name.padEnd(44)} p50 ${fmt(x.p50us / 1000, 3)} ms  p99 ${fmt(x.p99us / 1000, 3)} ms  (n=${s.length})`);
    return x;
  };
  const gk = row('keystroke echo, guarded prompt (editor)', g.keys);
  const pk = row('keystroke echo, plain bash in a PTY', base.keys);
  const ge = row('Enter → command output, guarded', g.enters);
  const pe = row('Enter → command output, plain bash in a PTY', base.enters);
  console.log(`added by bulwark: keystroke p50 ${fmt((gk.p50us - pk.p50us) / 1000, 3)} ms, p99 ${fmt((gk.p99us - pk.p99us) / 1000, 3)} ms; Enter-to-start p50 ${fmt((ge.p50us - pe.p50us) / 1000, 3)} ms, p99 ${fmt((ge.p99us - pe.p99us) / 1000, 3)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
