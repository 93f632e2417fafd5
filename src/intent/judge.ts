/** The judge's working state for one analysed line: collects intents, walks command trees in
 * execution order, and lets rules unwrap (`run`), re-analyse nested shell text (`shell`), judge
 * SQL (`sql`) and scripts (`script`). Evidence spans of nested text point at the outer word. */
import type { Intent, IntentCategory, IntentDetails, Severity } from '../core/intent.js';
import type { Invocation, Stdin } from './invocation.js';
import type { CommandNode, Definitions, Span, Word } from './types.js';
import type { BashParser } from './parse.js';
import type { SqlDialect, SqlBridge, SqlClient } from './sqlbridge.js';
import { TreeBuilder } from './tree.js';
import { UNKNOWN } from './types.js';
import { walkNodes } from './walk.js';
import { ParseTimeoutError } from './errors.js';

export const MAX_DEPTH = 8;

export interface Scope {
  functions: Map<string, { body: readonly CommandNode[] | undefined; source: string }>;
  aliases: Map<string, string>;
  /** Exported or session variables known before this line. */
  outerVars: ReadonlyMap<string, string>;
  cwd: string | undefined;
  readFile: ((p: string) => string | undefined) | undefined;
}

export class Judge {
  readonly intents: Intent[] = [];
  readonly interactive = new Set<string>();
  readonly written = new Set<string>();
  readonly defs: Definitions = { functions: {}, aliases: {}, variables: {} };
  depth = 0;
  /** Span used for evidence while analysing nested text (it has no position of its own). */
  spanOverride: Span | undefined;
  readonly callStack: string[] = [];
  private builder: TreeBuilder | undefined;

  constructor(
    readonly line: string,
    readonly parser: BashParser,
    readonly deadline: number,
    readonly scope: Scope,
    readonly sqlBridge: SqlBridge,
  ) {}

  get vars(): TreeBuilder | undefined {
    return this.builder;
  }

  lookup(name: string): string | undefined {
    return this.builder ? this.builder.lookup(name) : this.scope.outerVars.get(name);
  }

  emit(
    at: { span: Span; path: readonly string[] } | Invocation,
    category: IntentCategory,
    severity: Severity,
    explanation: string,
    details: IntentDetails = {},
    self?: string,
  ): void {
    const span = this.spanOverride ?? at.span;
    explanation = explanation.split(UNKNOWN).join('…').replace(/\s+/g, ' ').trim();
    const path = 'name' in at ? [...at.path, self ?? at.name] : [...at.path];
    if (this.intents.some((i) => i.category === category && i.explanation === explanation && i.evidence.start === span.start)) return;
    const binaries = 'name' in at && details.binaries === undefined ? { binaries: [at.name] } : {};
    this.intents.push({
      category,
      severity,
      explanation,
      evidence: { start: span.start, end: span.end, text: this.line.slice(span.start, span.end), path },
      details: scrub({ ...binaries, ...details }),
    });
  }

  /** Start of the first command the line runs; set by the walker. */
  firstStart: number | undefined;

  /** The corpus (and common sense) treat hiding a harmful command as evasion in itself: behind a
   * wrapper, shell, function or remote hop, or after harmless commands in the same line. */
  addHidingIntents(): void {
    const harms = this.intents.filter((i) => i.category !== 'evasion' && (i.severity === 'high' || i.severity === 'critical'));
    for (const h of harms) {
      const p = h.evidence.path;
      const name = p[p.length - 1] ?? '';
      if (p.length > 1) {
        this.emit({ span: h.evidence, path: p }, 'evasion', 'medium', `${name} is reached through ${p.slice(0, -1).join(' → ')}`);
      } else if (this.firstStart !== undefined && h.evidence.start > this.firstStart) {
        this.emit({ span: h.evidence, path: p }, 'evasion', 'medium', `${name || 'a dangerous command'} follows other commands in the same line`);
      }
    }
  }

  /** Parses and builds the trees of some shell text (the line itself or nested text). */
  build(text: string): CommandNode[] {
    if (performance.now() > this.deadline) throw new ParseTimeoutError(0);
    const root = this.parser.parse(text, this.deadline);
    const outer = this.builder;
    const b = new TreeBuilder({
      outer: (n) => (outer ? outer.lookup(n) : this.scope.outerVars.get(n)),
      reparse: (t) => this.parser.parse(t, this.deadline),
    });
    this.builder = b;
    const nodes = b.program(root, text);
    for (const an of b.anomalies) {
      nodes.push({ kind: 'error', text: `word boundaries unclear near ${JSON.stringify(an.text)}`, missing: false, start: an.start, end: an.end });
    }
    if (root.hasError && !nodes.some((n) => n.kind === 'error')) {
      const missing = findMissing(root);
      nodes.push({ kind: 'error', text: missing ?? 'syntax error', missing: missing !== undefined, start: 0, end: text.length });
    }
    return nodes;
  }

  /** Analyses nested shell text that `inv` runs (bash -c, eval, ssh host 'cmd', alias bodies...). */
  shell(text: string, inv: Invocation | { span: Span; path: readonly string[] }, label: string, stdin?: Stdin): void {
    const at = { span: this.spanOverride ?? inv.span, path: [...inv.path, label] };
    if (this.depth >= MAX_DEPTH) {
      this.emit(at, 'evasion', 'high', `nesting deeper than ${MAX_DEPTH} levels is not analysed`);
      return;
    }
    const saved = { span: this.spanOverride, builder: this.builder };
    this.depth++;
    this.spanOverride = at.span;
    try {
      const nodes = this.build(text);
      walkNodes(this, nodes, at.path, stdin ?? { kind: 'tty' });
    } finally {
      this.depth--;
      this.spanOverride = saved.span;
      if (saved.builder) this.mergeVars(saved.builder);
      this.builder = saved.builder;
    }
  }

  /** eval/source/alias run in the same shell: their assignments stay visible afterwards. */
  private mergeVars(into: TreeBuilder): void {
    const inner = this.builder;
    if (inner === undefined || inner === into) return;
    for (const [k, v] of inner.vars) into.vars.set(k, v);
  }

  sql(text: string, dialect: SqlDialect, client: SqlClient | undefined, inv: Invocation): void {
    for (const f of this.sqlBridge.analyze(text, dialect, client)) {
      this.emit(inv, f.category, f.severity, f.explanation, {
        sqlEffect: f.effect,
        ...(f.tables.length > 0 ? { tables: f.tables } : {}),
      });
    }
  }

  /** Running a script file: judged by its text when readable, as evasion otherwise. */
  script(path: string, inv: Invocation, label: string): void {
    const abs = this.absolute(path);
    if (this.written.has(abs) || this.written.has(path)) {
      this.emit(inv, 'evasion', 'high', `runs ${path}, a file written earlier in the same command`, { paths: [path] });
      return;
    }
    const text = abs.includes('\uFFFF') ? undefined : this.scope.readFile?.(abs);
    if (text === undefined) {
      this.emit(inv, 'evasion', 'high', `runs ${path}, a script that cannot be read and analysed`, { paths: [path] });
      return;
    }
    if (/^\x7fELF|\0/.test(text.slice(0, 512))) {
      this.emit(inv, 'evasion', 'high', `runs ${path}, a binary that cannot be analysed`, { paths: [path] });
      return;
    }
    this.shell(text, inv, label);
  }

  absolute(p: string): string {
    if (p.startsWith('/') || p.startsWith('~') || this.scope.cwd === undefined) return p;
    const parts = `${this.scope.cwd}/${p}`.split('/');
    const out: string[] = [];
    for (const s of parts) {
      if (s === '' || s === '.') continue;
      if (s === '..') out.pop();
      else out.push(s);
    }
    return `/${out.join('/')}`;
  }
}

function scrub(d: IntentDetails): IntentDetails {
  const json = JSON.stringify(d);
  return json.includes(UNKNOWN) ? (JSON.parse(json.split(UNKNOWN).join('…')) as IntentDetails) : d;
}

function findMissing(n: import('./parse.js').SyntaxNode): string | undefined {
  if (n.isMissing) return `missing ${n.type}`;
  if (n.type === 'ERROR') return `syntax error near "${n.text.slice(0, 30)}"`;
  for (const c of n.children) {
    if (!c.hasError && !c.isMissing) continue;
    const r = findMissing(c);
    if (r !== undefined) return r;
  }
  return undefined;
}

export type { Word };
