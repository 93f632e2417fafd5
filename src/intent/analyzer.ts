/** The analyser: one line in, an Analysis out, never an exception. Anything that stops analysis
 * (parser missing, time budget, internal error, control bytes) becomes an `evasion` intent. */
import type { Intent } from '../core/intent.js';
import { describeError } from '../core/errors.js';
import { loadBashParser, type BashParser } from './parse.js';
import { ParseTimeoutError } from './errors.js';
import { loadSqlBridge, type SqlBridge } from './sqlbridge.js';
import { isComplete } from './complete.js';
import { Judge, type Scope } from './judge.js';
import { walkNodes } from './walk.js';
import type { Analysis, AnalysisContext, Analyzer } from './types.js';

export const DEFAULT_TIME_BUDGET_MS = 50;
/** Longer input is not analysed: a bastion line this long is itself a red flag, and the budget
 * would be spent anyway. */
export const MAX_LINE_LENGTH = 64 * 1024;

function evasion(line: string, explanation: string): Intent {
  return {
    category: 'evasion',
    severity: 'critical',
    explanation,
    evidence: { start: 0, end: line.length, text: line, path: [] },
    details: {},
  };
}

// Allowed: tab, newline. Everything else below 0x20, DEL, C1 controls and our own sentinel.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\uFFFF]/;

export function analyzeWith(parser: BashParser | Error, sql: SqlBridge, budgetMs: number, line: string, ctx: AnalysisContext = {}): Analysis {
  const base: Analysis = { line, complete: true, commands: [], intents: [] };
  try {
    if (typeof line !== 'string') return { ...base, line: String(line), intents: [evasion(String(line), 'input is not text')] };
    const ctl = CONTROL.exec(line);
    if (ctl) {
      const code = ctl[0].charCodeAt(0).toString(16).padStart(2, '0');
      return { ...base, intents: [evasion(line, `input contains the control character 0x${code}; not analysed`)] };
    }
    if (line.length > MAX_LINE_LENGTH) return { ...base, intents: [evasion(line, `input longer than ${MAX_LINE_LENGTH} characters; not analysed`)] };
    const complete = isComplete(line);
    if (!complete) {
      return { ...base, complete: false, intents: [evasion(line, 'incomplete command: needs more input (open quote, here-doc, block or trailing operator)')] };
    }
    if (parser instanceof Error) return { ...base, intents: [evasion(line, `parser unavailable: ${parser.message}`)] };
    const deadline = performance.now() + budgetMs;
    const scope: Scope = {
      functions: new Map([...(ctx.functions ?? new Map<string, string>())].map(([k, v]) => [k, { body: undefined, source: v }])),
      aliases: new Map(ctx.aliases ?? []),
      outerVars: new Map(ctx.variables ?? []),
      cwd: ctx.cwd,
      readFile: ctx.readFile,
    };
    const j = new Judge(line, parser, deadline, scope, sql);
    const commands = j.build(line);
    walkNodes(j, commands, [], { kind: 'tty' });
    j.addHidingIntents();
    if (performance.now() > deadline) throw new ParseTimeoutError(budgetMs);
    const out: Analysis = { line, complete: true, commands, intents: j.intents };
    if (j.interactive.size > 0) out.interactive = [...j.interactive];
    const d = j.defs;
    if (Object.keys(d.functions).length + Object.keys(d.aliases).length + Object.keys(d.variables).length > 0) out.definitions = d;
    return out;
  } catch (e) {
    const why = e instanceof ParseTimeoutError ? `analysis exceeded the ${budgetMs} ms time budget` : `internal analyser error: ${describeError(e)}`;
    return { ...base, intents: [evasion(line, why)] };
  }
}

/** One line through each path (bash, wrappers, SQL per client): their first use pays for JIT and
 * lazy loading and could exceed the per-line budget, a fail-closed deny unrelated to the line. */
const WARM_UP = [
  'ls -la /tmp | grep x && echo "$HOME" > /tmp/out',
  'psql -d db -c "SELECT id FROM t WHERE id = 1"',
  'psql -d db -c "DELETE FROM t; DROP TABLE t"',
  'mysql db -e "UPDATE t SET a = 1 WHERE id = 2"',
  'sqlite3 db.sqlite "SELECT 1"',
  "sudo bash -c 'rm -rf /tmp/x' <<< ''",
];

/** Loads the parsers once and warms every analysis path, so the first real line is judged on its
 * content rather than on a cold start. */
export async function createAnalyzer(opts: { timeBudgetMs?: number } = {}): Promise<Analyzer> {
  const parser = loadBashParser();
  const sql = await loadSqlBridge();
  const budget = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  for (const line of WARM_UP) analyzeWith(parser, sql, 60_000, line, undefined);
  return {
    analyze: (line: string, ctx?: AnalysisContext): Analysis => analyzeWith(parser, sql, budget, line, ctx),
  };
}
