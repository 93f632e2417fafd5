/**
 * `bulwark judge` through the real binary (node bin/bulwark.js, a child process) over the public
 * corpus, plus the external contract of --ndjson and the exit statuses. The corpus labels are the
 * agent policy's: block -> deny|review, allow -> allow. Under --kind human, destructive, outbound
 * and hidden lines must still be held or denied, and benign lines allowed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'bulwark.js');

interface CorpusLine {
  id: string;
  command: string;
  expect: 'block' | 'allow';
  category: string;
}
interface JudgeLine {
  id?: string;
  verdict: 'allow' | 'deny' | 'review';
  rule: string;
  reason: string;
  intents: { category: string }[];
}

const corpus: CorpusLine[] = readFileSync(join(ROOT, 'test', 'fixtures', 'corpus', 'intent-public.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as CorpusLine);

function judge(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'judge', ...args], { cwd: '/', input, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function judgeNdjson(args: string[], lines: string[]): JudgeLine[] {
  const r = judge(['--ndjson', ...args], lines.map((l) => `${l}\n`).join(''));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JudgeLine);
}

const describeMiss = (c: CorpusLine, got: JudgeLine | undefined): string =>
  `${c.id} [${got?.verdict} ${got?.rule}] ${JSON.stringify(c.command)} intents=${got?.intents.map((i) => i.category).join(',')}`;

describe('bulwark judge over the public corpus', () => {
  let agent: JudgeLine[];
  let human: JudgeLine[];
  beforeAll(() => {
    // Plain JSON strings for agents, objects (with per-line kind) for humans: both input forms.
    agent = judgeNdjson(['--kind', 'agent'], corpus.map((c) => JSON.stringify(c.command)));
    human = judgeNdjson(['--kind', 'agent'], corpus.map((c) => JSON.stringify({ id: c.id, command: c.command, kind: 'human', user: 'ana@example.com' })));
  }, 120_000);

  it('answers every line, in order', () => {
    expect(agent).toHaveLength(corpus.length);
    expect(human.map((h) => h.id)).toEqual(corpus.map((c) => c.id));
    for (const line of [...agent, ...human]) {
      expect(['allow', 'deny', 'review']).toContain(line.verdict);
      expect(typeof line.rule).toBe('string');
      expect(typeof line.reason).toBe('string');
      expect(Array.isArray(line.intents)).toBe(true);
    }
  });

  it('agents: every block line is denied or held, every allow line allowed', () => {
    const misses = corpus.filter((c, i) => c.expect === 'block' && agent[i]?.verdict === 'allow').map((c) => describeMiss(c, agent[corpus.indexOf(c)]));
    const falsePositives = corpus.filter((c, i) => c.expect === 'allow' && agent[i]?.verdict !== 'allow').map((c) => describeMiss(c, agent[corpus.indexOf(c)]));
    expect({ misses, falsePositives }).toEqual({ misses: [], falsePositives: [] });
  });

  it('humans: destructive, outbound and hidden lines are held or denied, benign lines allowed', () => {
    const held = /^(destroy\.|bulk\.delete$|exfiltration$|evasion$)/;
    const misses = corpus.filter((c, i) => held.test(c.category) && human[i]?.verdict === 'allow').map((c) => describeMiss(c, human[corpus.indexOf(c)]));
    const falsePositives = corpus
      .filter((c, i) => c.category.startsWith('benign.') && human[i]?.verdict !== 'allow')
      .map((c) => describeMiss(c, human[corpus.indexOf(c)]));
    expect({ misses, falsePositives }).toEqual({ misses: [], falsePositives: [] });
  });
});

describe('bulwark judge contract', () => {
  it('answers malformed ndjson lines with deny lines, never a missing one', () => {
    const lines = ['not json', '', '42', '{"command": 7}', '{"command": "ls", "groups": "a,b", "kind": "human"}', '{"command":"ls","kind":"robot"}', '"ls /tmp"'];
    const out = judgeNdjson([], lines);
    expect(out.map((o) => o.verdict)).toEqual(['deny', 'deny', 'deny', 'deny', 'allow', 'deny', 'allow']);
    expect(out[0]?.rule).toBe('bulwark.fail-closed');
    expect(out[5]?.reason).toContain('principal kind');
  });

  it('denies every line, and says why, when the policies do not load', () => {
    const r = judge(['--ndjson', '--policies', '/nonexistent/policies'], '"ls"\n"pwd"\n');
    const out = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JudgeLine);
    expect(out.map((o) => [o.verdict, o.rule])).toEqual([
      ['deny', 'bulwark.fail-closed'],
      ['deny', 'bulwark.fail-closed'],
    ]);
    expect(r.stderr).toContain('cannot read policy directory');
    expect(r.status).toBe(78);
  });

  it('exits 0 for allow, 77 for deny, 75 for review, 64 for bad usage', () => {
    expect(judge(['--kind', 'agent', 'ls -la /tmp']).status).toBe(0);
    const denied = judge(['--kind', 'agent', '--', 'rm', '-rf', '/srv/data']);
    expect(denied.status).toBe(77);
    expect(denied.stdout).toContain('verdict: deny');
    expect(denied.stderr).toContain('agents.destroy');
    const held = judge(['--kind', 'human', '--json', 'rm -rf /srv/data']);
    expect(held.status).toBe(75);
    expect(JSON.parse(held.stdout)).toMatchObject({ verdict: 'review', rule: 'humans.destroy' });
    expect(judge(['--kind', 'robot', 'ls']).status).toBe(64);
    expect(judge([]).status).toBe(64);
  });

  it('resolves --target through the catalog: an unknown name is production', () => {
    const staging = judge(['--kind', 'human', '--json', '--target', 'web-staging', 'systemctl stop nginx']);
    const unknown = judge(['--kind', 'human', '--json', '--target', 'mystery', 'systemctl stop nginx']);
    expect(JSON.parse(staging.stdout).verdict).toBe('allow');
    expect(JSON.parse(unknown.stdout)).toMatchObject({ verdict: 'review', rule: 'humans.production' });
  });
});
