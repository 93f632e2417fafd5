/** Shared by this module's tests only: real temp dirs, a real recording key, real asciinema. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { RecordingMeta } from './format.js';

export function tempDir(prefix = 'bulwark-rec-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sampleMeta(over: Partial<RecordingMeta> = {}): RecordingMeta {
  return {
    subject: 'alice@example.com',
    kind: 'human',
    groups: ['ops', 'dba'],
    principal: 'alice',
    serial: '18446744073709551615',
    ca: 'SHA256:testca',
    source: '192.0.2.7:50123',
    target: 'db-prod-1',
    mode: 'shell',
    width: 120,
    height: 40,
    startedAt: Date.now(),
    ...over,
  };
}

/**
 * `asciinema cat` insists on a controlling tty (it opens /dev/tty to set raw mode), so it runs
 * under util-linux `script`; raw mode turns off output post-processing, so bytes pass unchanged.
 */
export function asciinemaCat(file: string): { status: number | null; stdout: Buffer; stderr: string } {
  const quoted = `'${file.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', `asciinema cat ${quoted}`, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

export function lines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return text.split('\n').slice(0, -1);
}

export function writeLines(file: string, ls: string[]): void {
  writeFileSync(file, ls.map((l) => `${l}\n`).join(''));
}

/** Line numbers (from 1) of the checkpoint records among `ls`, the seal's included. */
export function checkpointLines(ls: readonly string[]): number[] {
  return ls.flatMap((l, i) => (l.includes('\\"kind\\":\\"checkpoint\\"') ? [i + 1] : []));
}

export function checkpointCount(file: string): number {
  return checkpointLines(lines(file)).length;
}

/**
 * Waits until the recording holds more than `seen` checkpoints. A flush tick is skipped while the
 * previous fdatasync runs, so a fixed sleep gives fewer checkpoints on a slow disk.
 */
export function nextCheckpoint(file: string, seen: number, timeoutMs = 10_000): Promise<number> {
  return vi.waitFor(
    () => {
      const n = checkpointCount(file);
      if (n <= seen) throw new Error(`no checkpoint after ${seen} in ${file}`);
      return n;
    },
    { timeout: timeoutMs, interval: 5 },
  );
}
