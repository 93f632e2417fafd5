/**
 * Runs the real `bulwark login` as a child process for tests and lets them read its output as it
 * comes (the device flow prints a URL and a code, then waits for the user).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './bulwark.js';

export interface LoginRun {
  readonly proc: ChildProcess;
  output(): string;
  /** Resolves with the first match of `re` in stdout+stderr. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function startLogin(args: string[], opts: { cwd: string; env?: Record<string, string | undefined>; input?: string }): LoginRun {
  const env: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: undefined, ...opts.env };
  const proc = spawn(process.execPath, [BIN, 'login', ...args], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  proc.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), listeners.forEach((l) => l())));
  proc.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), listeners.forEach((l) => l())));
  proc.stdin.on('error', () => undefined);
  proc.stdin.end(opts.input ?? '');
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    proc,
    output: () => stdout + stderr,
    done,
    waitFor: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = (stdout + stderr).match(re);
          if (m) {
            listeners.delete(check);
            clearTimeout(t);
            resolve(m);
          }
        };
        const t = setTimeout(() => (listeners.delete(check), reject(new Error(`login output never matched ${re}:\n${stdout}${stderr}`))), timeoutMs);
        listeners.add(check);
        void done.then(() => setTimeout(() => (listeners.has(check) ? reject(new Error(`login exited before ${re}:\n${stdout}${stderr}`)) : undefined), 50));
        check();
      }),
  };
}
