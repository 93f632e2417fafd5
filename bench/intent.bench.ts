/** Intent analysis speed over the public corpus: per-line latency (warm) and batch throughput on
 * one core. Targets: p99 under 1 ms per line, at least 5,000 lines/s. Prints figures only. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnalyzer } from '../src/intent/index.js';
import { fmt, summarize } from './stats.js';

export async function run(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const lines = readFileSync(join(here, '../test/fixtures/corpus/intent-public.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { command: string }).command);
  const analyzer = await createAnalyzer();
  for (let i = 0; i < 5; i++) for (const l of lines) analyzer.analyze(l); // warm up JIT and parser
  const samples: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const l of lines) {
      const t = process.hrtime.bigint();
      analyzer.analyze(l);
      samples.push(Number(process.hrtime.bigint() - t));
    }
  }
  const s = summarize(samples);
  const rounds = 20;
  const t0 = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const l of lines) analyzer.analyze(l);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const perSec = (rounds * lines.length) / secs;
  console.log(`corpus: ${lines.length} lines, ${samples.length} timed analyses`);
  console.log(`latency per line: p50 ${fmt(s.p50us)} µs, p99 ${fmt(s.p99us)} µs, mean ${fmt(s.meanUs)} µs (target p99 < 1000 µs)`);
  console.log(`batch throughput: ${fmt(perSec, 0)} lines/s on one core (target >= 5,000)`);
}
