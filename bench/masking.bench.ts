/**
 * Output masking throughput (pure CPU): ~256 MiB of terminal-like output (ls/log lines with
 * colour codes, UTF-8, and a secret every ~64 KiB) written in 16 KiB chunks through
 * createMasker().write() as sessions do, against a plain copy of the same chunks and the masker
 * with no detectors, in the same run; then plain text without escapes or literals (the ssh
 * bench's `yes` line) in 64 KiB chunks, as pipe reads deliver bulk output. Prints MB/s and the
 * cost relative to a plain copy; the lead measures the share of end-to-end ssh throughput. Set
 * BULWARK_BENCH_MB to change the size.
 */
import { createMasker } from '../src/masking/index.js';
import { SAMPLES } from '../src/masking/samples.testkit.js';
import { fmt } from './stats.js';

const CHUNK = 16 * 1024;
const BULK_CHUNK = 64 * 1024;

function corpus(): Buffer {
  const lines = [
    'drwxr-xr-x  2 root root 4096 Nov 22 03:38 \x1b[01;34mdirectory\x1b[0m  café 日本語\r\n',
    '-rw-r--r--  1 app  app  18230 Nov 21 17:02 \x1b[00mREADME.md\x1b[0m\r\n',
    '2026-11-22T04:07:33.112Z \x1b[32mINFO\x1b[0m request id=7f3a2c path=/api/v1/orders status=200 took=12ms user=42\r\n',
    '2026-11-22T04:07:33.118Z \x1b[33mWARN\x1b[0m retrying upstream db-2.internal:5432 attempt=2 backoff=250ms\r\n',
    '  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\r\n',
    ' 1234 postgres  20   0 2457812 163840  12288 S   3.0   1.0   1:23.45 postgres: writer\r\n',
    'commit 9d4bac6e1f0a2b3c4d5e6f708192a3b4c5d6e7f8\r\nAuthor: Dev <dev@example.com>\r\n',
  ];
  const secrets = SAMPLES.map((s) => `${s.text}\r\n`);
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < 4 * 1024 * 1024) {
    const l = (i % 900 === 899 ? secrets[(i / 900) % secrets.length | 0] : lines[i % lines.length]) as string;
    parts.push(l);
    size += Buffer.byteLength(l);
    i++;
  }
  return Buffer.from(parts.join(''));
}

/** Wall and CPU seconds: on a shared machine the CPU time of this process is the steadier figure. */
function time(total: number, data: Buffer, sink: (chunk: Buffer) => number, chunk = CHUNK): { secs: number; cpu: number; bytes: number } {
  const start = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let bytes = 0;
  for (let sent = 0; sent < total; ) {
    for (let o = 0; o + chunk <= data.length && sent < total; o += chunk, sent += chunk) bytes += sink(data.subarray(o, o + chunk));
  }
  const c = process.cpuUsage(c0);
  return { secs: Number(process.hrtime.bigint() - start) / 1e9, cpu: (c.user + c.system) / 1e6, bytes };
}

export async function run(): Promise<void> {
  const mb = Number(process.env.BULWARK_BENCH_MB ?? 256);
  const total = mb * 1024 * 1024;
  const data = corpus();
  const bulk = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ\n'.repeat(16 * 1024));
  const copy = (c: Buffer) => Buffer.from(c).length;
  const masker = (detectors: string[], terminal: boolean) => () => {
    const m = createMasker({ detectors, terminal });
    return (c: Buffer) => {
      let n = 0;
      m.write(c, (p) => (n += p.length));
      return n;
    };
  };
  const cases: [string, () => (c: Buffer) => number, Buffer, number][] = [
    ['plain copy', () => copy, data, CHUNK],
    ['masker, no detectors (pass-through)', masker([], true), data, CHUNK],
    ['masker, secrets (terminal)', masker(['secrets'], true), data, CHUNK],
    ['masker, all incl. PII (terminal)', masker(['all'], true), data, CHUNK],
    ['masker, all incl. PII (tags)', masker(['all'], false), data, CHUNK],
    ['plain copy, bulk text', () => copy, bulk, BULK_CHUNK],
    ['masker, secrets, bulk text', masker(['secrets'], true), bulk, BULK_CHUNK],
  ];
  time(8 * 1024 * 1024, data, copy); // warm-up
  let base = 0;
  for (const [name, make, input, chunk] of cases) {
    const sink = make();
    time(4 * 1024 * 1024, input, sink, chunk);
    const r = time(total, input, sink, chunk);
    if (name.startsWith('plain copy')) base = r.cpu;
    const cost = base === r.cpu ? '' : `, +${fmt(((r.cpu - base) / total) * 1e9, 2)} ns/byte CPU over plain copy`;
    console.log(
      `${name}: ${fmt(total / 1e6 / r.secs)} MB/s wall, ${fmt(total / 1e6 / r.cpu)} MB/s CPU (${mb} MiB, ${fmt(r.bytes / 1e6)} MB out${cost})`,
    );
  }
}
