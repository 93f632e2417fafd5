/** Walks command trees in execution order: substitutions first (they run first), pipelines with
 * each stage's stdin producer, aliases and functions replaced by what they run, and every simple
 * command turned into an Invocation for the rules. */
import type { Judge } from './judge.js';
import type { Invocation, Stdin } from './invocation.js';
import type { CommandNode, Redirect, SimpleCommand, Span, Word } from './types.js';
import { UNKNOWN } from './types.js';
import { decodeAnsiC } from './words.js';
import { judgeAssignment, judgeFunctionDefinition } from './rules/session.js';
import { judgeRedirects } from './rules/redirects.js';
import { runInvocation } from './rules/index.js';

interface At {
  span: Span;
  path: readonly string[];
}

export function walkNodes(j: Judge, nodes: readonly CommandNode[], path: readonly string[], stdin: Stdin): void {
  for (const n of nodes) walk(j, n, path, stdin, false);
}

function walkSubs(j: Judge, words: readonly (Word | undefined)[], path: readonly string[]): void {
  for (const w of words) {
    if (w === undefined || w.subs.length === 0) continue;
    walkNodes(j, w.subs, [...path, w.procSub ? '<(…)' : '$(…)'], { kind: 'tty' });
  }
}

function stdinOf(redirects: readonly Redirect[], fallback: Stdin): Stdin {
  let s = fallback;
  for (const r of redirects) {
    if (r.heredoc !== undefined) {
      s = { kind: 'text', text: r.heredoc.body, how: 'here-doc', dynamic: r.heredoc.dynamic.length > 0 };
    } else if (r.op === '<<<' && r.target) {
      s = { kind: 'text', text: `${r.target.value}\n`, how: 'here-string', dynamic: r.target.dynamic.length > 0 };
    } else if (r.op === '<' && (r.fd ?? 0) === 0 && r.target) {
      s = { kind: 'file', path: r.target.value };
    } else if (r.op === '<&' && r.target?.value !== '0') {
      s = { kind: 'unknown' };
    }
  }
  return s;
}

function walk(j: Judge, n: CommandNode, path: readonly string[], stdin: Stdin, piped: boolean): Invocation | undefined {
  const at: At = { span: n, path };
  switch (n.kind) {
    case 'simple':
      return simple(j, n, path, stdin, piped);
    case 'pipeline': {
      let prev: Invocation | undefined;
      let prevText: string | undefined;
      n.commands.forEach((c, i) => {
        const s: Stdin = i === 0 ? stdin : { kind: 'pipe', ...(prev ? { producer: prev } : {}), ...(prevText !== undefined ? { text: prevText } : {}) };
        prev = walk(j, c, path, s, i < n.commands.length - 1);
        prevText = prev ? literalOutput(prev) : undefined;
      });
      return prev;
    }
    case 'list':
      walk(j, n.left, path, stdin, false);
      return walk(j, n.right, path, stdin, piped);
    case 'subshell':
    case 'group': {
      judgeRedirects(j, n.redirects, at, [n.kind]);
      walkSubs(j, n.redirects.map((r) => r.target), path);
      const s = stdinOf(n.redirects, stdin);
      let last: Invocation | undefined;
      for (const c of n.body) last = walk(j, c, path, s, piped);
      return last;
    }
    case 'function':
      judgeFunctionDefinition(j, n, at);
      j.scope.functions.set(n.name, { body: n.body, source: n.source });
      j.defs.functions[n.name] = n.source;
      return undefined;
    case 'compound': {
      judgeRedirects(j, n.redirects, at, [n.keyword]);
      walkSubs(j, [...n.words, ...n.redirects.map((r) => r.target)], path);
      const s = stdinOf(n.redirects, stdin);
      for (const c of n.parts) walk(j, c, path, s, false);
      return undefined;
    }
    case 'error':
      j.emit(at, 'evasion', 'high', n.missing ? `incomplete or malformed syntax (${n.text})` : `input does not parse as bash (${n.text.slice(0, 40)}); not analysed`);
      return undefined;
  }
}

/** What a producer writes to the pipe, when it is plain literal text (echo/printf/cat of a here-doc). */
function literalOutput(inv: Invocation): string | undefined {
  if (inv.argv.slice(1).some((w) => w.dynamic.length > 0)) return undefined;
  if (inv.name === 'echo') {
    let args = [...inv.args];
    let escapes = false;
    while (args[0] !== undefined && /^-[neE]+$/.test(args[0])) {
      if (args[0].includes('e')) escapes = true;
      args = args.slice(1);
    }
    const t = `${args.join(' ')}\n`;
    return escapes ? decodeAnsiC(t) : t;
  }
  if (inv.name === 'printf') {
    const fmt = inv.args[0];
    if (fmt === undefined || fmt.includes('%')) return undefined;
    return decodeAnsiC(fmt);
  }
  if (inv.name === 'cat' && inv.args.length === 0 && inv.stdin.kind === 'text' && !inv.stdin.dynamic) return inv.stdin.text;
  return undefined;
}

function simple(j: Judge, n: SimpleCommand, path: readonly string[], stdin: Stdin, piped: boolean): Invocation | undefined {
  const at: At = { span: n, path };
  if (j.depth === 0 && j.firstStart === undefined && n.argv.length > 0) j.firstStart = n.start;
  walkSubs(j, n.assignments.map((a) => a.value), path);
  walkSubs(j, n.argv, path);
  walkSubs(j, n.redirects.map((r) => r.target), path);
  for (const r of n.redirects) if (r.heredoc && r.heredoc.subs.length > 0) walkNodes(j, r.heredoc.subs, [...path, '$(…)'], { kind: 'tty' });
  for (const a of n.assignments) judgeAssignment(j, a, at, n.argv.length > 0);
  if (n.argv.length === 0 || (n.assignments.length > 0 && ['export', 'declare', 'typeset', 'local', 'readonly'].includes(n.argv[0]?.value ?? ''))) {
    for (const a of n.assignments) if (a.value && a.value.dynamic.length === 0) j.defs.variables[a.name] = a.value.value;
  }
  judgeRedirects(j, n.redirects, { span: n, path: n.argv[0] ? [...path, n.argv[0].value] : path }, n.argv.map((w) => w.value));
  const s = stdinOf(n.redirects, stdin);
  const first = n.argv[0];
  if (first === undefined) return undefined;

  const alias = !first.quoted && first.dynamic.length === 0 ? j.scope.aliases.get(first.value) : undefined;
  if (alias !== undefined && !j.callStack.includes(`alias ${first.value}`)) {
    j.callStack.push(`alias ${first.value}`);
    try {
      const rest = n.argv.slice(1).map((w) => w.raw).join(' ');
      j.shell(`${alias} ${rest}`, at, `alias ${first.value}`, s);
    } finally {
      j.callStack.pop();
    }
    return undefined;
  }
  const fn = first.dynamic.length === 0 ? j.scope.functions.get(first.value) : undefined;
  if (fn !== undefined) {
    const label = `${first.value}()`;
    if (j.callStack.includes(label)) {
      if (piped || n.background || stdin.kind === 'pipe') {
        j.emit(at, 'system.disrupt', 'critical', `function ${first.value} calls itself in a pipeline or background job (fork bomb)`);
      }
      return undefined;
    }
    j.callStack.push(label);
    try {
      if (fn.body !== undefined) walkNodes(j, fn.body, [...path, label], s);
      else j.shell(fn.source, at, label, s);
    } finally {
      j.callStack.pop();
    }
    return undefined;
  }

  if (j.depth === 0 && j.firstStart === undefined) j.firstStart = n.start;
  const env = new Map<string, string>();
  for (const a of n.assignments) env.set(a.name, a.value?.value ?? '');
  const inv: Invocation = {
    argv: n.argv,
    name: basename(first.value),
    args: n.argv.slice(1).map((w) => w.value),
    redirects: n.redirects,
    stdin: s,
    stdoutPiped: piped,
    path,
    span: n,
    env,
  };
  runInvocation(j, inv);
  return inv;
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 && i < p.length - 1 ? p.slice(i + 1) : p;
}

export { UNKNOWN };
