/** Every labelled line of the public corpus and of our own case files, judged: a `block` line must
 * yield at least one intent of its category or `evasion`; an `allow` line must yield none. On
 * failure a per-category summary of misses and false positives is printed. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, type Analyzer } from './index.js';

interface Case {
  id: string;
  command: string;
  expect: 'block' | 'allow';
  category: string;
  why?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '../../test/fixtures/corpus/intent-public.jsonl');

function load(file: string): Case[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Case);
}

let analyzer: Analyzer;
beforeAll(async () => {
  // Judgement, not speed, is tested here: a roomy budget keeps a loaded CI machine from flaking.
  analyzer = await createAnalyzer({ timeBudgetMs: 5000 });
});

function judge(c: Case): string | undefined {
  const r = analyzer.analyze(c.command);
  if (c.expect === 'allow') {
    return r.intents.length === 0 ? undefined : `false positive: ${r.intents.map((i) => `${i.category} (${i.explanation})`).join('; ')}`;
  }
  const hit = r.intents.some((i) => i.category === c.category || i.category === 'evasion');
  if (hit) return undefined;
  return r.intents.length === 0 ? 'miss: no intent' : `miss: only ${r.intents.map((i) => i.category).join(', ')}`;
}

function check(name: string, cases: Case[]): void {
  it(`${name}: every line judged as labelled (${cases.length} lines)`, () => {
    const failures: string[] = [];
    const summary = new Map<string, { miss: number; fp: number }>();
    for (const c of cases) {
      const f = judge(c);
      if (f === undefined) continue;
      failures.push(`${c.id} ${JSON.stringify(c.command)}: ${f}`);
      const key = c.id.includes('lookalike') ? `${c.category} (lookalike)` : c.category;
      const s = summary.get(key) ?? { miss: 0, fp: 0 };
      if (c.expect === 'block') s.miss++;
      else s.fp++;
      summary.set(key, s);
    }
    if (failures.length > 0) {
      const table = [...summary].map(([k, v]) => `  ${k.padEnd(34)} misses ${v.miss}  false positives ${v.fp}`).join('\n');
      console.error(`${name}: ${failures.length} wrong\n${table}\n${failures.join('\n')}`);
    }
    expect(failures).toEqual([]);
  });
}

describe('intent corpus', () => {
  const pub = load(corpus);
  it('the public corpus is the full labelled file', () => {
    expect(pub.length).toBeGreaterThanOrEqual(257);
    expect(pub.filter((c) => c.expect === 'allow').length).toBeGreaterThan(50);
  });
  check('public corpus', pub);
  const dir = join(here, 'cases');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) check(`cases/${f}`, load(join(dir, f)));
});
