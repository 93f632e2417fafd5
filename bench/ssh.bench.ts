/**
 * Output throughput of exec sessions through bulwark and the real ssh client: 1 GiB of text with
 * recording on versus off, and masking on versus off (recording on), side by side in one run,
 * same machine, same client. Masking is switched by policy, as in production: the shipped
 * policies mask `secrets` for agents and nothing for humans, so the same server is measured
 * with a human's certificate (off) and an agent's (on). The bytes are
 * text (not /dev/zero) because NULs are escaped six-fold in asciicast JSON, which no real
 * session looks like.
 */
import { spawn } from 'node:child_process';
import { sshArgs, startBulwark } from '../test/support/bulwark.js';
import { makeKey, signCert, tempDir } from '../test/support/keys.js';
import { fmt } from './stats.js';

const BYTES = Number(process.env['BULWARK_BENCH_BYTES'] ?? 1024 ** 3);

function pump(port: number, key: string, cert: string): Promise<{ seconds: number; bytes: number }> {
  const cmd = `yes 'the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ' | head -c ${BYTES}`;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('ssh', [...sshArgs({ port, key, cert, extra: ['-o', 'Ciphers=aes128-gcm@openssh.com'] }), cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (d: Buffer) => (bytes += d.length));
    p.on('error', reject);
    p.on('close', () => resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes }));
  });
}

export async function run(): Promise<void> {
  const dir = tempDir('bulwark-bench-');
  const ca = makeKey(dir, 'ca');
  const key = makeKey(dir, 'user');
  const cert = signCert(ca, key, { options: ['extension:kind@bulwark=human'] });
  const agentKey = makeKey(dir, 'agent');
  const agentCert = signCert(ca, agentKey, { keyId: 'bench-agent', options: ['extension:kind@bulwark=agent'] });
  const results: Record<string, number[]> = { on: [], off: [], masked: [] };
  const servers = {
    on: await startBulwark({ dir: tempDir('bulwark-bench-on-'), configYaml: `userCa: [${ca}.pub]\n` }),
    off: await startBulwark({ dir: tempDir('bulwark-bench-off-'), configYaml: `userCa: [${ca}.pub]\nrecordSessions: false\n` }),
  };
  try {
    // Alternate the two so drift in machine load hits both alike.
    for (let round = 0; round < 2; round++) {
      for (const mode of ['off', 'on', 'masked'] as const) {
        const r = mode === 'masked' ? await pump(servers.on.port, agentKey, agentCert) : await pump(servers[mode].port, key, cert);
        if (r.bytes !== BYTES) throw new Error(`short read: ${r.bytes} of ${BYTES}`);
        results[mode]?.push(r.bytes / r.seconds / 1e6);
      }
    }
  } finally {
    await servers.on.stop();
    await servers.off.stop();
  }
  const best = (xs: number[]) => Math.max(...xs);
  const on = best(results['on'] ?? []);
  const off = best(results['off'] ?? []);
  const masked = best(results['masked'] ?? []);
  console.log(`exec output ${fmt(BYTES / 1024 ** 3, 2)} GiB through ssh (aes128-gcm), best of 2:`);
  console.log(`  recording off: ${fmt(off)} MB/s   runs: ${(results['off'] ?? []).map((x) => fmt(x)).join(', ')}`);
  console.log(`  recording on:  ${fmt(on)} MB/s   runs: ${(results['on'] ?? []).map((x) => fmt(x)).join(', ')}`);
  console.log(`  recording costs ${fmt((1 - on / off) * 100)}% of throughput (target < 5%)`);
  console.log(`  masking on (secrets, recording on): ${fmt(masked)} MB/s   runs: ${(results['masked'] ?? []).map((x) => fmt(x)).join(', ')}`);
  console.log(`  masking costs ${fmt((1 - masked / on) * 100)}% of throughput over recording on, masking off (target < 15%)`);
}
