import { beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, decodeAnsiC, isComplete, type Analyzer } from './index.js';
import { analyzeWith } from './analyzer.js';
import { loadSqlBridge } from './sqlbridge.js';
import { ParserUnavailableError } from './errors.js';

let a: Analyzer;
beforeAll(async () => {
  a = await createAnalyzer({ timeBudgetMs: 5000 });
});
const cats = (line: string, ctx?: Parameters<Analyzer['analyze']>[1]): string[] => a.analyze(line, ctx).intents.map((i) => i.category);

describe('words', () => {
  it('decodes ANSI-C quoting fully', () => {
    expect(decodeAnsiC('\\x72\\x6d')).toBe('rm');
    expect(decodeAnsiC('\\162\\155')).toBe('rm');
    expect(decodeAnsiC('\\u00e9\\t\\n\\\\\\\'')).toBe("é\t\n\\'");
    expect(decodeAnsiC('\\cA')).toBe('\x01');
  });
  it('removes quotes and escapes the way bash does', () => {
    const w = a.analyze(`r''m "a b"c\\ d 'e'"f"$'\\x67'`).commands[0];
    expect(w?.kind).toBe('simple');
    if (w?.kind !== 'simple') return;
    expect(w.argv.map((x) => x.value)).toEqual(['rm', 'a bc d', 'efg']);
    expect(w.argv[0]?.quoted).toBe(true);
  });
});

describe('completeness', () => {
  it.each([
    ['echo "abc', false], ["echo 'a", false], ['ls |', false], ['ls &&', false], ['ls \\', false],
    ['if true; then echo', false], ['for i in 1; do', false], ['echo $(ls', false], ['cat <<EOF\nabc', false],
    ['case $x in a) ls;;', false], ['{ ls;', false],
    ['f() {', false], ['f() {\n  echo hi', false], ['function g {', false], ['function g() {', false], ['(cd /tmp', false],
    ['f() { echo hi; }', true], ['f() {\n  echo hi\n}', true], ['function g { ls; }', true], ['(cd /tmp; ls)', true],
    ['echo function {', true], ['echo $(date) {', true],
    ['echo "abc"', true], ['ls | wc', true], ['if true; then echo; fi', true], ['cat <<EOF\nabc\nEOF', true],
    ['echo ${IFS}x', true], ['case $x in a) ls;; esac', true], ['ls &', true], ['{rm,-rf,x}', true], ['echo # unclosed "', true],
  ])('%j complete=%s', (line, want) => {
    expect(isComplete(line)).toBe(want);
    expect(a.analyze(line).complete).toBe(want);
  });
  it('incomplete input is also an evasion intent, so an exec of it fails closed', () => {
    expect(cats('rm -rf "/opt')).toEqual(['evasion']);
  });
});

describe('fail closed', () => {
  it('control bytes are evasion', () => {
    for (const c of ['\x00', '\x1b', '\r', '\x7f', '\u0085', '\uFFFF']) expect(cats(`ls${c}`)).toEqual(['evasion']);
  });
  it('a missing parser is evasion for every line, never an empty result', async () => {
    const sql = await loadSqlBridge();
    const r = analyzeWith(new ParserUnavailableError(new Error('no addon')), sql, 50, 'ls');
    expect(r.intents.map((i) => i.explanation)).toEqual([expect.stringContaining('parser unavailable')]);
  });
  it('a line over the time budget is evasion', async () => {
    const slow = await createAnalyzer({ timeBudgetMs: 0 });
    const line = Array.from({ length: 2000 }, (_, i) => `echo ${i} | grep x`).join('; ');
    expect(slow.analyze(line).intents[0]?.explanation).toMatch(/time budget/);
  });
  it('text tree-sitter drops between words is evasion (bash would see other words)', () => {
    expect(cats('echo "a b"\\ c')).toEqual(['evasion']);
  });
  it('ERROR nodes are evasion', () => {
    expect(cats('{rm,-rf,/x}')).toContain('evasion');
    expect(cats('ls 3<>/dev/null')).toContain('evasion');
  });
});

describe('evidence and details', () => {
  it('spans point into the line and paths show the unwrapping', () => {
    const line = 'ls; sudo bash -c "rm -rf /srv"';
    const r = a.analyze(line);
    const i = r.intents.find((x) => x.category === 'destroy.filesystem');
    expect(i?.evidence.path).toEqual(['sudo', 'bash -c', 'rm']);
    expect(line.slice(i?.evidence.start, i?.evidence.end)).toBe('sudo bash -c "rm -rf /srv"');
    expect(i?.details.paths).toEqual(['/srv']);
  });
  it('reports interactive programs as details, not intents', () => {
    const r = a.analyze('psql -d shop');
    expect(r.intents).toEqual([]);
    expect(r.interactive).toEqual(['psql']);
    expect(a.analyze('ssh db.example.com').interactive).toEqual(['ssh db.example.com']);
    expect(a.analyze('python3').interactive).toEqual(['python3']);
    // scp's server side (legacy scp -O runs it over exec) reads its file protocol from stdin.
    expect(a.analyze('scp -t /srv/upload.bin').interactive).toEqual(['scp -t']);
    expect(a.analyze('scp -v -p -f /etc/hostname').interactive).toEqual(['scp -f']);
    expect(a.analyze("sh -c 'scp -rpt /srv'").interactive).toEqual(['scp -t']);
    expect(a.analyze('scp -oStrictHostKeyChecking=no a.txt host:/tmp/').interactive).toBeUndefined();
  });
  it('returns definitions for the session to keep', () => {
    const r = a.analyze("f() { ls; }; alias ll='ls -l'; export X=1");
    expect(r.definitions?.functions.f).toContain('ls');
    expect(r.definitions?.aliases.ll).toBe('ls -l');
    expect(r.definitions?.variables.X).toBe('1');
  });
});

describe('session context', () => {
  it('resolves session variables, functions and aliases', () => {
    expect(cats('$T -rf /srv', { variables: new Map([['T', 'rm']]) })).toContain('destroy.filesystem');
    expect(cats('cleanup', { functions: new Map([['cleanup', '{ rm -rf /srv; }']]) })).toContain('destroy.filesystem');
    expect(cats('cleanup', { aliases: new Map([['cleanup', 'reboot']]) })).toContain('system.disrupt');
    expect(cats('cleanup')).toEqual([]);
  });
  it('reads scripts through readFile, and fails closed without it', () => {
    const files = new Map([['/home/u/ok.sh', 'echo hi\nls\n'], ['/home/u/bad.sh', 'echo hi\nrm -rf /srv\n']]);
    const ctx = { cwd: '/home/u', readFile: (p: string) => files.get(p) };
    expect(cats('./ok.sh', ctx)).toEqual([]);
    expect(cats('sh bad.sh', ctx)).toContain('destroy.filesystem');
    expect(cats('source ./bad.sh', ctx)).toContain('destroy.filesystem');
    expect(cats('./missing.sh', ctx)).toEqual(['evasion']);
  });
  it('variables set in a branch are unknown afterwards', () => {
    expect(cats('c=ls; true || c=rm; $c -rf /srv')).toContain('evasion');
  });
});
