/**
 * Output throughput of exec sessions through bulwark and the real ssh client: 1 GiB of text with
 * recording on versus off, and masking on versus off (recording on), side by side in one run,
 * same machine, same client. Masking is switched by policy, as in production: the shipped
 * policies mask `secrets` for agents and nothing for humans, so the same server is measured
 * with a human's certificate (off) and an agent's (on). The bytes are
 * text (not /dev/zero) because NULs are escaped six-fold in asciicast JSON, which no real
 * session looks like.
 *
 * Besides MB/s, each run reports the CPU time the bulwark process spent (all its threads, from
 * /proc) per GiB and how idle the machine was: on a machine whose cores are all busy with the
 * transfer (ssh client, command, kernel), what recording costs in throughput is what it costs
 * in CPU, and the CPU figure is the steadier one; the bench also prints the least cost that
 * CPU implies with every core busy. Each recording is deleted once sealed, so that runs measure
 * a steady state rather than a page cache filling with gigabytes of old files, and the disk is
 * synced after each deletion so that the next run does not pay for it. One unmeasured round
 * comes first: on a virtual machine the first gigabyte of page cache a process writes touches
 * guest memory the host has not yet backed, which made the first run with recording on about
 * a third slower than the others. The client's
 * output is counted by `wc -c` rather than read into this process, which would compete for the
 * cores too.
 */
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sshArgs, startBulwark, type Bulwark } from '../test/support/bulwark.js';
import { makeKey, signCert, tempDir } from '../test/support/keys.js';
import { createHash } from 'node:crypto';
import { JsonLineEncoder } from '../src/recording/escape.js';
import { BATCH_BYTES } from '../src/recording/host.js';
import { fmt } from './stats.js';

const BYTES = Number(process.env['BULWARK_BENCH_BYTES'] ?? 1024 ** 3);
const ROUNDS = Number(process.env['BULWARK_BENCH_ROUNDS'] ?? 3);
const TICK = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

interface Run {
  mbps: number;
  /** CPU seconds of the bulwark process per GiB moved. */
  cpuPerGiB: number;
  /** Share of the machine's CPU time that was idle during the run. */
  idle: number;
  /** Share stolen by the hypervisor for other guests (noisy neighbours make every figure swing). */
  steal: number;
}

function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function machineCpu(): { idle: number; steal: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/ +/).slice(1, 9).map(Number);
  return { idle: (f[3] ?? 0) + (f[4] ?? 0), steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
}

function pump(server: Bulwark, key: string, cert: string): Promise<Run> {
  const cmd = `yes 'the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ' | head -c ${BYTES}`;
  const pid = server.proc.pid ?? 0;
  return new Promise((resolve, reject) => {
    const cpu0 = processCpu(pid);
    const m0 = machineCpu();
    const t0 = process.hrtime.bigint();
    // The client's output goes to `wc -c`, not into this process: a Node reader would take a
    // good part of a core from the two that bulwark, ssh and the command already share.
    const args = sshArgs({ port: server.port, key, cert, extra: ['-o', 'Ciphers=aes128-gcm@openssh.com'] });
    const p = spawn('sh', ['-c', '"$@" | wc -c', 'sh', 'ssh', ...args, cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', () => {
      const bytes = Number(out.trim());
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m1 = machineCpu();
      if (bytes !== BYTES) return reject(new Error(`short read: ${bytes} of ${BYTES}`));
      resolve({
        mbps: bytes / seconds / 1e6,
        cpuPerGiB: (processCpu(pid) - cpu0) / (bytes / 1024 ** 3),
        idle: (m1.idle - m0.idle) / Math.max(1, m1.total - m0.total),
        steal: (m1.steal - m0.steal) / Math.max(1, m1.total - m0.total),
      });
    });
  });
}

/** Waits for the server's recordings to be sealed, then deletes them. */
async function dropSealed(dir: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const sidecars = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const open = sidecars.filter((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { status?: string }).status !== 'sealed');
    if (open.length === 0) {
      for (const f of sidecars) {
        rmSync(join(dir, f));
        rmSync(join(dir, f.replace(/\.json$/, '.cast')), { force: true });
      }
      // Freeing a gigabyte makes the filesystem discard its blocks and commit its journal; left
      // to run in the background, that work lands on whichever run comes next.
      execFileSync('sync');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`recordings in ${dir} were not sealed`);
}

export async function run(): Promise<void> {
  const dir = tempDir('bulwark-bench-');
  const ca = makeKey(dir, 'ca');
  const key = makeKey(dir, 'user');
  const cert = signCert(ca, key, { options: ['extension:kind@bulwark=human'] });
  const agentKey = makeKey(dir, 'agent');
  const agentCert = signCert(ca, agentKey, { keyId: 'bench-agent', options: ['extension:kind@bulwark=agent'] });
  const onDir = tempDir('bulwark-bench-on-');
  const servers = {
    on: await startBulwark({ dir: onDir, configYaml: `userCa: [${ca}.pub]\n` }),
    off: await startBulwark({ dir: tempDir('bulwark-bench-off-'), configYaml: `userCa: [${ca}.pub]\nrecordSessions: false\n` }),
  };
  const modes = ['off', 'on', 'masked'] as const;
  const results: Record<(typeof modes)[number], Run[]> = { off: [], on: [], masked: [] };
  try {
    // Alternate the modes so that drift in machine load hits all alike; round -1 warms up.
    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of modes) {
        const r = mode === 'masked' ? await pump(servers.on, agentKey, agentCert) : await pump(servers[mode], key, cert);
        if (round >= 0) results[mode].push(r);
        if (mode !== 'off') await dropSealed(join(onDir, 'recordings'));
      }
    }
  } finally {
    await servers.on.stop();
    await servers.off.stop();
  }
  const best = (m: (typeof modes)[number]) => Math.max(...results[m].map((r) => r.mbps));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const cpu = (m: (typeof modes)[number]) => median(results[m].map((r) => r.cpuPerGiB));
  const line = (label: string, m: (typeof modes)[number]) =>
    console.log(
      `  ${label} ${fmt(best(m))} MB/s   runs: ${results[m].map((r) => fmt(r.mbps)).join(', ')}   bulwark CPU ${fmt(cpu(m), 2)} s/GiB (runs ${results[m].map((r) => fmt(r.cpuPerGiB, 2)).join(', ')})   machine idle ${results[m].map((r) => fmt(r.idle * 100, 0)).join(', ')} %, steal ${results[m].map((r) => fmt(r.steal * 100, 0)).join(', ')} %`,
    );
  const [off, on, masked] = [best('off'), best('on'), best('masked')];
  // What the added CPU alone costs once every core is busy: the base run's busy CPU plus the
  // added CPU, spread over all cores, against the base run's time (median runs).
  const cores = availableParallelism();
  const floor = (base: (typeof modes)[number], more: (typeof modes)[number]): string => {
    const secsPerGiB = 1024 ** 3 / (median(results[base].map((r) => r.mbps)) * 1e6);
    const busy = (1 - median(results[base].map((r) => r.idle))) * cores * secsPerGiB;
    const fastest = (busy + Math.max(0, cpu(more) - cpu(base))) / cores;
    const bound = Math.max(0, 1 - secsPerGiB / fastest);
    return `with all ${cores} cores busy, that CPU alone costs >= ${fmt(bound * 100)}% here (the ${base} runs left ${fmt((cores * secsPerGiB - busy), 2)} core-s/GiB idle)`;
  };
  console.log(`exec output ${fmt(BYTES / 1024 ** 3, 2)} GiB through ssh (aes128-gcm), best of ${ROUNDS}:`);
  line('recording off:                     ', 'off');
  line('recording on:                      ', 'on');
  line('masking on (secrets, recording on):', 'masked');
  console.log(`  recording costs ${fmt((1 - on / off) * 100)}% of throughput (target < 5%); it adds ${fmt(cpu('on') - cpu('off'), 2)} CPU s/GiB (${fmt(((cpu('on') - cpu('off')) / 1024 ** 3) * 1e9, 2)} ns/byte) to bulwark`);
  console.log(`    ${floor('off', 'on')}`);
  const work = requiredWork();
  console.log(`    the per-byte work a recording cannot skip, timed in this process: SHA-256 of each record ${fmt(work.hash, 2)}, JSON escaping ${fmt(work.escape, 2)} CPU s/GiB`);
  console.log(`  masking costs ${fmt((1 - masked / on) * 100)}% of throughput over recording on, masking off (target < 15%); it adds ${fmt(cpu('masked') - cpu('on'), 2)} CPU s/GiB`);
  console.log(`    ${floor('on', 'masked')}`);
}

/**
 * CPU seconds per GiB of the two per-byte steps every recorded byte goes through in the worker,
 * on the bench's own text in batch-sized records: SHA-256 (the chain) and JSON escaping (asciicast).
 * Printed beside the throughput cost so that it can be weighed against the idle CPU the runs
 * with recording off leave: the page-cache write comes on top of both.
 */
function requiredWork(): { hash: number; escape: number } {
  const batch = Buffer.alloc(BATCH_BYTES, 'the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ\n');
  const n = 1024 ** 3 / BATCH_BYTES;
  const encoder = new JsonLineEncoder();
  const time = (f: () => void): number => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  const escape = time(() => encoder.encode('[1.000000,"o","', batch, '"]\n'));
  const line = Buffer.from(encoder.encode('[1.000000,"o","', batch, '"]\n'));
  return { hash: time(() => createHash('sha256').update(line).digest()), escape };
}
