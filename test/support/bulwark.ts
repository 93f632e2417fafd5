/**
 * Runs the real `bulwark serve` binary as a child process on a loopback port chosen by the OS,
 * collects its JSON audit lines, and drives the real OpenSSH client against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { makeKey, signCert, type CertOptions } from './keys.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'bulwark.js');

export type LogLine = Record<string, unknown> & { event?: string };

export interface Bulwark {
  readonly port: number;
  readonly state: string;
  readonly proc: ChildProcess;
  readonly logs: LogLine[];
  stderr(): string;
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited on its own. */
  readonly exited: Promise<number | null>;
}

export interface StartOptions {
  /** Working directory: state/ and recordings/ default inside it. */
  dir: string;
  args?: string[];
  /** YAML written to dir/bulwark.yaml and passed with --config. */
  configYaml?: string;
  env?: Record<string, string>;
}

export async function startBulwark(o: StartOptions): Promise<Bulwark> {
  const args = [BIN, 'serve', '--listen', '127.0.0.1:0', ...(o.args ?? [])];
  if (o.configYaml !== undefined) {
    const file = join(o.dir, 'bulwark.yaml');
    writeFileSync(file, o.configYaml);
    args.push('--config', file);
  }
  const proc = spawn(process.execPath, args, { cwd: o.dir, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      parsed = { event: 'non-json', line };
    }
    logs.push(parsed);
    for (const w of [...waiters]) {
      if (w.pred(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = 15_000) =>
    new Promise<LogLine>((resolveLog, reject) => {
      const found = logs.find(pred);
      if (found) return resolveLog(found);
      const t = setTimeout(() => reject(new Error(`timed out waiting for a log line; stderr:\n${stderr}\nlogs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`)), timeoutMs);
      waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolveLog(l)) });
      void exited.then((code) => reject(new Error(`bulwark exited (${code}) before the log line; stderr:\n${stderr}`)));
    });
  const started = await waitForLog((l) => l.event === 'server.start');
  return {
    port: Number(started['port']),
    state: join(o.dir, 'state'),
    proc,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  port: number;
  key: string;
  cert?: string;
  user?: string;
  command?: string;
  input?: string | Buffer;
  /** Extra ssh arguments before the destination (e.g. ["-tt"]). */
  extra?: string[];
  timeoutMs?: number;
}

export function sshArgs(o: SshOptions): string[] {
  const args = [
    '-F', '/dev/null',
    '-p', String(o.port),
    '-i', o.key,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=10',
  ];
  if (o.cert) args.push('-o', `CertificateFile=${o.cert}`);
  args.push(...(o.extra ?? []), `${o.user ?? 'deploy'}@127.0.0.1`);
  if (o.command !== undefined) args.push(o.command);
  return args;
}

export function runSsh(o: SshOptions): Promise<SshResult> {
  return new Promise((resolveRun, reject) => {
    const p = spawn('ssh', sshArgs(o), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`ssh timed out; stdout=${stdout} stderr=${stderr}`));
    }, o.timeoutMs ?? 20_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolveRun({ code, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    if (o.input !== undefined) p.stdin.end(o.input);
    else p.stdin.end();
  });
}

export interface HumanAndAgent {
  readonly b: Bulwark;
  /** alice@example.com, kind human. */
  readonly human: { readonly key: string; readonly cert: string };
  /** bot@example.com, kind agent. */
  readonly agent: { readonly key: string; readonly cert: string };
}

export interface WithUser {
  readonly b: Bulwark;
  readonly key: string;
  readonly cert: string;
}

/** A bulwark trusting a fresh CA, with one user certificate (`o`) signed by it. */
export async function startWithUser(dir: string, o: CertOptions = {}): Promise<WithUser> {
  const ca = makeKey(dir, 'ca');
  const key = makeKey(dir, 'user');
  const cert = signCert(ca, key, o);
  return { key, cert, b: await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] }) };
}

/** A bulwark trusting a fresh CA, with one human and one agent certificate signed by it. */
export async function startWithHumanAndAgent(dir: string): Promise<HumanAndAgent> {
  const ca = makeKey(dir, 'ca');
  const humanKey = makeKey(dir, 'user');
  const agentKey = makeKey(dir, 'agent');
  return {
    human: { key: humanKey, cert: signCert(ca, humanKey, { keyId: 'alice@example.com', options: ['extension:kind@bulwark=human'] }) },
    agent: { key: agentKey, cert: signCert(ca, agentKey, { keyId: 'bot@example.com', options: ['extension:kind@bulwark=agent'] }) },
    b: await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] }),
  };
}
