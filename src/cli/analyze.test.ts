import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './analyze.js';
import type { CliIO } from './io.js';

function io(input: string): { io: CliIO; out: () => string; err: () => string } {
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { io: { stdin, stdout, stderr, env: {} }, out: () => o, err: () => e };
}

describe('bulwark analyze', () => {
  it('prints pretty JSON with intents and trees for one command', async () => {
    const t = io('');
    expect(await run(['sudo', 'rm', '-rf', '/opt/app'], t.io)).toBe(0);
    const r = JSON.parse(t.out()) as { command: string; intents: { category: string; evidence: { path: string[] } }[]; commands: unknown[] };
    expect(r.command).toBe('sudo rm -rf /opt/app');
    expect(r.intents.map((i) => i.category)).toContain('destroy.filesystem');
    expect(r.intents.find((i) => i.category === 'destroy.filesystem')?.evidence.path).toEqual(['sudo', 'rm']);
    expect(r.commands.length).toBe(1);
  });

  it('reads the command from stdin when none is given', async () => {
    const t = io("sh <<'EOF'\nreboot\nEOF\n");
    await run([], t.io);
    const r = JSON.parse(t.out()) as { intents: { category: string }[] };
    expect(r.intents.map((i) => i.category)).toEqual(expect.arrayContaining(['system.disrupt', 'evasion']));
  });

  it('--ndjson: one object per line, in order, bad lines become evasion', async () => {
    const t = io('"ls -la"\n{"command":"history -c"}\nnot json\n{"cmd":1}\n"echo \\"a\\nb\\""\n');
    expect(await run(['--ndjson'], t.io)).toBe(0);
    const lines = t.out().trim().split('\n').map((l) => JSON.parse(l) as { command: string; intents: { category: string }[]; error?: string });
    expect(lines.map((l) => l.command)).toEqual(['ls -la', 'history -c', 'not json', '{"cmd":1}', 'echo "a\nb"']);
    expect(lines[0]?.intents).toEqual([]);
    expect(lines[1]?.intents[0]?.category).toBe('audit.tamper');
    expect(lines[2]?.intents[0]?.category).toBe('evasion');
    expect(lines[2]?.error).toBeDefined();
    expect(lines[3]?.intents[0]?.category).toBe('evasion');
    expect(lines[4]?.intents).toEqual([]);
  });

  it('rejects unknown options with the usage status', async () => {
    const t = io('');
    expect(await run(['--bogus'], t.io)).toBe(64);
    expect(t.err()).toContain('usage: bulwark analyze');
  });

  it('works through the real binary', () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/bulwark.js');
    const out = execFileSync('node', [bin, 'analyze', '--ndjson'], { input: '"kubectl delete ns prod"\n"kubectl get pods"\n', encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { intents: { category: string }[] });
    expect(lines).toHaveLength(2);
    expect(lines[0]?.intents[0]?.category).toBe('destroy.cloud');
    expect(lines[1]?.intents).toEqual([]);
  }, 30_000);
});
