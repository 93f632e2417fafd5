/**
 * Output masking end to end through the real ssh client and the real `bulwark serve`, shipped
 * policies: an agent's sessions (exec without and with a terminal, and the guarded shell) have
 * every secret type masked in what the client gets and in the .cast recording; a human sees
 * the same file unmasked (no masking for humans by default).
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_GROUPS } from '../src/masking/index.js';
import { SAMPLES } from '../src/masking/samples.testkit.js';
import { runSsh, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';
import { SshTerminal } from './support/terminal.js';

const dir = tempDir('bulwark-masking-');
const secrets = SAMPLES.filter((s) => (DETECTOR_GROUPS['secrets'] as readonly string[]).includes(s.id));
const leak = join(dir, 'leak.txt');
const split = join(dir, 'split.sh');
let b: Bulwark;
const k: Record<string, { key: string; cert: string }> = {};

beforeAll(async () => {
  // The target's shell runs as `nobody` when the tests run as root: let it read the files.
  chmodSync(dir, 0o755);
  writeFileSync(leak, secrets.map((s) => `${s.name}: ${s.text}\n`).join(''), { mode: 0o644 });
  // Each secret split in two writes with a colour escape between the halves.
  writeFileSync(split, secrets.map((s, i) => `printf '%s\\033[3${i % 7}m' '${s.text.slice(0, Math.floor(s.text.length / 2)).replace(/'/g, `'\\''`)}'\nprintf '%s\\033[0m\\n' '${s.text.slice(Math.floor(s.text.length / 2)).replace(/'/g, `'\\''`)}'\n`).join(''), { mode: 0o644 });
  const ca = makeKey(dir, 'ca');
  for (const [name, id, kind] of [['bot', 'bot@example.com', 'agent'], ['ana', 'ana@example.com', 'human']] as const) {
    const key = makeKey(dir, name);
    k[name] = { key, cert: signCert(ca, key, { keyId: id, options: [`extension:kind@bulwark=${kind}`] }) };
  }
  b = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
});
afterAll(async () => {
  await b?.stop();
});

/** Decoded output of the recording whose header names this command (or the shell's, by subject). */
async function recordedOutput(pred: (header: Record<string, unknown>) => boolean): Promise<string> {
  const rec = join(dir, 'recordings');
  for (let i = 0; i < 100; i++) {
    for (const f of readdirSync(rec).filter((n) => n.endsWith('.cast'))) {
      const lines = readFileSync(join(rec, f), 'utf8').split('\n');
      const header = JSON.parse(lines[0] as string) as { bulwark?: Record<string, unknown> } & Record<string, unknown>;
      if (!pred({ ...header, ...(header.bulwark ?? {}) })) continue;
      // Read it once sealed: everything the session sent is in it then.
      if (!lines.some((l) => l.includes('\\"sealed\\":true'))) continue;
      return lines.slice(1).filter((l) => l.startsWith('[')).map((l) => JSON.parse(l) as [number, string, string]).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no sealed recording found');
}

function expectMasked(where: string, text: string): void {
  for (const s of secrets) for (const p of s.parts) expect(text.includes(p), `${where}: ${s.name} (${p}) in clear`).toBe(false);
}

describe('masking in sessions', () => {
  it("masks every secret type in an agent's exec output and its recording (tags without a terminal)", async () => {
    const r = await runSsh({ port: b.port, ...(k['bot'] as { key: string; cert: string }), command: `cat ${leak}` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GitHub ghp_: [masked:tokens]');
    expect(r.stdout).toContain('AWS access key id: [masked:cloud-keys]');
    expectMasked('client', r.stdout);
    expectMasked('recording', await recordedOutput((h) => h['command'] === `cat ${leak}`));
  }, 30_000);

  it('masks secrets split across writes with colour escapes inside, in the client and the recording', async () => {
    const r = await runSsh({ port: b.port, ...(k['bot'] as { key: string; cert: string }), command: `bash ${split}` });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('[masked:')).length).toBe(secrets.length);
    expectMasked('client', r.stdout);
    expectMasked('recording', await recordedOutput((h) => h['command'] === `bash ${split}`));
  }, 30_000);

  it('masks with stars keeping the length on a terminal (exec with -tt)', async () => {
    const r = await runSsh({ port: b.port, ...(k['bot'] as { key: string; cert: string }), command: `cat ${leak} && echo end-of-file`, extra: ['-tt'] });
    expect(r.stdout).toContain('end-of-file');
    const ghp = secrets.find((s) => s.name === 'GitHub ghp_');
    expect(r.stdout).toContain(`GitHub ghp_: ${'*'.repeat(ghp?.text.length ?? 0)}\r\n`);
    expectMasked('client', r.stdout);
    expectMasked('recording', await recordedOutput((h) => h['command'] === `cat ${leak} && echo end-of-file`));
  }, 30_000);

  it("masks in an agent's guarded shell", async () => {
    const id = k['bot'] as { key: string; cert: string };
    const term = new SshTerminal({ port: b.port, key: id.key, cert: id.cert, cwd: dir, cols: 200, rows: 50 });
    await term.waitFor(/\$ /);
    term.write(`cat ${leak}; echo done-$((1+1))\r`);
    await term.waitFor(/done-2\r\n/);
    term.write('exit\r');
    await term.exited;
    const out = term.out;
    expect(out).toContain('Slack xoxb-: ****');
    expectMasked('client', out);
    expectMasked('recording', await recordedOutput((h) => h['subject'] === 'bot@example.com' && h['mode'] === 'shell'));
  }, 30_000);

  it('shows a human the same file unmasked under the shipped policies', async () => {
    const r = await runSsh({ port: b.port, ...(k['ana'] as { key: string; cert: string }), command: `cat ${leak}` });
    expect(r.code).toBe(0);
    for (const s of secrets) expect(r.stdout).toContain(s.text);
  }, 30_000);
});
