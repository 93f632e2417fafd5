/**
 * Recording writer throughput: 1 GiB of terminal-like output through RecordingWriter.output()
 * (UTF-8 decode, JSON escaping, SHA-256 chain, signed checkpoints, fdatasync every second,
 * back-pressure honoured) against a plain fs.WriteStream of the same bytes. Prints MB/s side by
 * side; the lead adds the through-ssh figure. Set BULWARK_BENCH_MB to change the size.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingWriter, loadOrCreateRecordingKey } from '../src/recording/index.js';
import { fmt } from './stats.js';

const CHUNK = 64 * 1024;

function payload(): Buffer {
  // Mostly ASCII with escapes and some multibyte text, like a busy terminal.
  const line = 'drwxr-xr-x  2 root root 4096 Nov 22 03:38 \u001b[01;34mdirectory\u001b[0m  café 日本語\r\n';
  const b = Buffer.alloc(CHUNK);
  const l = Buffer.from(line);
  for (let o = 0; o < CHUNK; o += l.length) l.copy(b, o, 0, Math.min(l.length, CHUNK - o));
  return b;
}

async function plain(file: string, total: number, chunk: Buffer): Promise<number> {
  const start = process.hrtime.bigint();
  const ws = createWriteStream(file);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!ws.write(chunk)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => ws.end((e?: Error | null) => (e ? j(e) : r())));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function recorded(dir: string, total: number, chunk: Buffer): Promise<{ secs: number; file: string }> {
  const key = await loadOrCreateRecordingKey(join(dir, 'state'));
  const start = process.hrtime.bigint();
  const w = await RecordingWriter.open(join(dir, 'rec'), {
    subject: 'bench', kind: 'agent', groups: [], principal: 'bench', serial: '0', ca: 'SHA256:bench',
    source: '127.0.0.1:0', target: 'bench', mode: 'exec', command: 'cat /dev/zero', width: 80, height: 24,
    startedAt: Date.now(),
  }, { key, onFailure: (e) => { throw e; } });
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!w.output(chunk)) await new Promise((r) => w.once('drain', r));
  }
  await w.close({ status: 0 });
  return { secs: Number(process.hrtime.bigint() - start) / 1e9, file: w.file };
}

export async function run(): Promise<void> {
  const mb = Number(process.env['BULWARK_BENCH_MB'] ?? 1024);
  const total = mb * 1024 * 1024;
  const chunk = payload();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-rec-'));
  try {
    const p = await plain(join(dir, 'plain.bin'), total, chunk);
    rmSync(join(dir, 'plain.bin'));
    const r = await recorded(dir, total, chunk);
    const size = statSync(r.file).size;
    const mbps = (s: number): number => total / 2 ** 20 / s;
    console.log(`output ${mb} MiB in ${CHUNK / 1024} KiB chunks`);
    console.log(`  plain fs.WriteStream   ${fmt(mbps(p))} MB/s  (${fmt(p, 2)} s)`);
    console.log(`  RecordingWriter        ${fmt(mbps(r.secs))} MB/s  (${fmt(r.secs, 2)} s, cast ${fmt(size / 2 ** 20)} MiB)`);
    console.log(`  recording / plain      ${fmt((100 * p) / r.secs)} % of plain throughput`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
