/**
 * Policy decision latency (policies preparsed, intents precomputed) and end-to-end judge latency
 * (analysis + policy, as `bulwark judge` does per line) over the public corpus, for agents and
 * humans. Target: p99 under 1 ms per line for both together.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICIES, judgeCommand, loadAnalyzer, loadEngine } from '../src/cli/judge.js';
import type { PolicyRequest } from '../src/policy/index.js';
import { PolicyEngine, resolveTarget } from '../src/policy/index.js';
import { fmt, summarize } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 20;

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t);
}

export async function run(): Promise<void> {
  const commands = readFileSync(join(ROOT, 'test', 'fixtures', 'corpus', 'intent-public.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { command: string }).command);
  const loadStart = performance.now();
  const { engine, error } = await loadEngine(DEFAULT_POLICIES);
  if (error) throw error;
  const loadMs = performance.now() - loadStart;
  const analyze = await loadAnalyzer();
  const target = resolveTarget(undefined);

  const requests: PolicyRequest[] = [];
  for (const kind of ['agent', 'human']) {
    for (const command of commands) {
      const a = analyze(command);
      requests.push({
        action: 'exec',
        principal: { subject: `bench-${kind}`, kind, groups: ['dba'] },
        target,
        intents: a.intents,
        context: { now: Date.now(), approved: false, mode: 'exec', command },
      });
    }
  }

  const set = engine.policySet;
  if (!set) throw new Error('no policy set');
  // Cold: a fresh engine (empty decision cache) per round, so every request of the corpus is a
  // cedar-wasm call. Warm: one engine for all rounds, as a server sees repeated request shapes.
  const decisions = (cold: boolean): number[] => {
    let e = new PolicyEngine(set);
    for (const r of requests) e.evaluate(r); // JIT and wasm warm-up
    const out: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (cold) e = new PolicyEngine(set);
      for (const r of requests) out.push(time(() => e.evaluate(r)));
    }
    return out;
  };
  const who = (kind: string) => ({ kind, user: `bench-${kind}`, groups: ['dba'], target: undefined });
  const judged = (cold: boolean): { samples: number[]; seconds: number } => {
    let e = new PolicyEngine(set);
    for (const c of commands) judgeCommand(e, analyze, c, who('agent'));
    const samples: number[] = [];
    const start = process.hrtime.bigint();
    for (let round = 0; round < ROUNDS; round++) {
      if (cold) e = new PolicyEngine(set);
      for (const kind of ['agent', 'human']) for (const c of commands) samples.push(time(() => judgeCommand(e, analyze, c, who(kind))));
    }
    return { samples, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  };

  console.log(`policy set: load+validate+preparse ${fmt(loadMs)} ms, ${set.policies.length} policies`);
  const analysis: number[] = [];
  for (let round = 0; round < ROUNDS; round++) for (const c of commands) analysis.push(time(() => analyze(c)));
  const a = summarize(analysis);
  console.log(`analysis only, for reference (${analysis.length} lines): p50 ${fmt(a.p50us)} us, p99 ${fmt(a.p99us)} us, mean ${fmt(a.meanUs)} us`);
  for (const cold of [true, false]) {
    const label = cold ? 'cold cache' : 'warm cache';
    const d = summarize(decisions(cold));
    console.log(`decision only, ${label} (${requests.length * ROUNDS} evaluations): p50 ${fmt(d.p50us)} us, p99 ${fmt(d.p99us)} us, mean ${fmt(d.meanUs)} us`);
    const { samples, seconds } = judged(cold);
    const e = summarize(samples);
    console.log(
      `judge end to end, ${label} (analysis + policy, ${samples.length} lines): p50 ${fmt(e.p50us)} us, p99 ${fmt(e.p99us)} us, ` +
        `mean ${fmt(e.meanUs)} us, ${fmt(samples.length / seconds, 0)} lines/s; target p99 < 1000 us ${e.p99us < 1000 ? 'met' : 'NOT met'}`,
    );
  }
}
