/** Builds normalised CommandNode trees from tree-sitter-bash syntax. Variables assigned earlier in
 * the same line are tracked here, in source order, so `a=rm; $a -rf x` resolves; an assignment
 * that may or may not happen (inside a branch, loop, subshell or `read`) makes the name unknown. */
import type { SyntaxNode } from './parse.js';
import { resolveWord, splitFields, type WordEnv } from './words.js';
import type { Assignment, CommandNode, HereDoc, Redirect, SimpleCommand, Word } from './types.js';
import { UNKNOWN } from './types.js';
import { HEREDOC_PLACEHOLDER, STATEMENT_TYPES, WORD_TYPES, attachRedirects, substitute } from './nodekinds.js';

export interface TreeContext {
  /** Session variables (outer context), consulted after same-line assignments. */
  outer(name: string): string | undefined;
  /** Re-parses text (used to untangle how tree-sitter-bash nests operators inside heredocs). */
  reparse(text: string): SyntaxNode;
}

export class TreeBuilder implements WordEnv {
  /** Same-line assignments; null = assigned to something we cannot know. */
  readonly vars = new Map<string, string | null>();
  /** Places where tree-sitter's words and bash's words may differ (text lost between words). */
  readonly anomalies: { start: number; end: number; text: string }[] = [];
  private offset = 0;
  /** Source of the tree being built (node.text walks the native tree; slicing this is cheaper). */
  private src = '';
  private conditional = 0;

  constructor(private readonly ctx: TreeContext) {}

  lookup(name: string): string | undefined {
    if (this.vars.has(name)) return this.vars.get(name) ?? undefined;
    return this.ctx.outer(name);
  }

  commands(node: SyntaxNode): CommandNode[] {
    this.conditional++;
    try {
      return this.statements(node.namedChildren);
    } finally {
      this.conditional--;
    }
  }

  word(node: SyntaxNode): Word {
    this.checkBareNewline(node);
    return resolveWord(node, this, this.offset);
  }

  /** tree-sitter-bash sometimes glues a line break into a word (`ok\n\\rm`); bash would start a
   * new command there, so such a word means the trees do not match what bash runs. */
  private checkBareNewline(node: SyntaxNode): void {
    if (node.type === 'word') {
      if (/(^|[^\\])\n/.test(node.text)) this.anomalies.push({ start: node.startIndex + this.offset, end: node.endIndex + this.offset, text: node.text });
      return;
    }
    if (node.type === 'concatenation') for (const c of node.children) this.checkBareNewline(c);
  }

  program(root: SyntaxNode, text: string): CommandNode[] {
    this.src = text;
    return this.statements(root.children);
  }

  private span(n: SyntaxNode): { start: number; end: number } {
    return { start: n.startIndex + this.offset, end: n.endIndex + this.offset };
  }

  /** Children of a program/body, marking `&` background jobs. */
  statements(children: readonly SyntaxNode[]): CommandNode[] {
    const out: CommandNode[] = [];
    for (const c of children) {
      if (c.type === '&') {
        const last = out[out.length - 1];
        if (last !== undefined) last.background = true;
        continue;
      }
      if (!c.isNamed || c.type === 'comment') continue;
      const n = this.statement(c);
      if (n !== undefined) out.push(n);
    }
    return out;
  }

  private inBranch<T>(f: () => T): T {
    this.conditional++;
    try {
      return f();
    } finally {
      this.conditional--;
    }
  }

  private assign(name: string, value: string | null): void {
    this.vars.set(name, this.conditional > 0 ? null : value);
  }

  private assignment(n: SyntaxNode): Assignment {
    const nameNode = n.childForFieldName('name');
    const valueNode = n.childForFieldName('value');
    const name = nameNode?.text ?? n.text.split('=')[0] ?? '';
    const append = n.children.some((c) => c.type === '+=');
    const value = valueNode === null ? undefined : this.word(valueNode);
    return { name, append, ...(value ? { value } : {}), ...this.span(n) };
  }

  private record(a: Assignment): void {
    const v = a.value === undefined ? '' : a.value.value;
    const known = a.value === undefined || (a.value.dynamic.length === 0 && !a.append) ? v : null;
    this.assign(a.name, a.append && known !== null ? `${this.lookup(a.name) ?? UNKNOWN}${v}` : known);
  }

  statement(n: SyntaxNode): CommandNode | undefined {
    const s = this.span(n);
    switch (n.type) {
      case 'command':
        return this.simple(n);
      case 'variable_assignment': {
        const a = this.assignment(n);
        this.record(a);
        return { kind: 'simple', assignments: [a], argv: [], redirects: [], ...s };
      }
      case 'variable_assignments': {
        const as = n.namedChildren.filter((c) => c.type === 'variable_assignment').map((c) => this.assignment(c));
        as.forEach((a) => this.record(a));
        return { kind: 'simple', assignments: as, argv: [], redirects: [], ...s };
      }
      case 'declaration_command':
      case 'unset_command': {
        const kw = n.child(0);
        const argv: Word[] = kw ? [this.word(kw)] : [];
        const assignments: Assignment[] = [];
        for (const c of n.namedChildren) {
          if (c.type === 'variable_assignment') {
            const a = this.assignment(c);
            assignments.push(a);
            this.record(a);
            argv.push(this.word(c));
          } else {
            argv.push(...splitFields(this.word(c)));
            if (c.type === 'variable_name' && n.type === 'unset_command') this.vars.set(c.text, null);
          }
        }
        return { kind: 'simple', assignments, argv, redirects: [], ...s };
      }
      case 'redirected_statement':
        return this.redirected(n);
      case 'pipeline': {
        const parts = n.namedChildren.map((c) => this.statement(c)).filter((c): c is CommandNode => c !== undefined);
        return { kind: 'pipeline', negated: false, commands: parts, ...s };
      }
      case 'negated_command': {
        const inner = n.namedChildren[0];
        const body = inner ? this.statement(inner) : undefined;
        return { kind: 'compound', keyword: 'negated', words: [], parts: body ? [body] : [], redirects: [], ...s };
      }
      case 'list': {
        const [l, r] = n.namedChildren;
        const op = n.children.find((c) => c.type === '&&' || c.type === '||')?.type === '||' ? '||' : '&&';
        const left = l ? this.statement(l) : undefined;
        const right = r ? this.inBranch(() => this.statement(r)) : undefined;
        if (left === undefined || right === undefined) return left ?? right;
        return { kind: 'list', op, left, right, ...s };
      }
      case 'subshell':
        return { kind: 'subshell', body: this.inBranch(() => this.statements(n.children)), redirects: [], ...s };
      case 'compound_statement':
        return { kind: 'group', body: this.statements(n.children), redirects: [], ...s };
      case 'function_definition': {
        const name = n.childForFieldName('name')?.text ?? '';
        const bodyNode = n.childForFieldName('body');
        const body = bodyNode ? this.inBranch(() => this.statement(bodyNode)) : undefined;
        const source = bodyNode?.text ?? '';
        return { kind: 'function', name, body: body ? [body] : [], source, ...s };
      }
      case 'ERROR':
        return { kind: 'error', text: n.text, missing: false, ...s };
      default:
        return this.compound(n);
    }
  }

  /** if/while/for/case/test/arithmetic: every word and nested statement is kept (they may run). */
  private compound(n: SyntaxNode): CommandNode {
    const words: Word[] = [];
    const parts: CommandNode[] = [];
    const keyword = n.type.replace(/_statement$|_command$/, '');
    this.inBranch(() => {
      const visit = (c: SyntaxNode): void => {
        if (c.type === 'variable_name' && (n.type === 'for_statement' || n.type === 'select_statement')) {
          this.vars.set(c.text, null);
          return;
        }
        if (STATEMENT_TYPES.has(c.type)) {
          const st = this.statement(c);
          if (st) parts.push(st);
        } else if (WORD_TYPES.has(c.type)) {
          words.push(this.word(c));
        } else if (c.type === 'ERROR') {
          parts.push({ kind: 'error', text: c.text, missing: false, ...this.span(c) });
        } else {
          for (const k of c.namedChildren) visit(k);
        }
      };
      for (const c of n.namedChildren) visit(c);
    });
    return { kind: 'compound', keyword, words, parts, redirects: [], ...this.span(n) };
  }

  private simple(n: SyntaxNode): SimpleCommand {
    const assignments: Assignment[] = [];
    const argv: Word[] = [];
    const redirects: Redirect[] = [];
    const src = this.src;
    let prevEnd = -1;
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i) as SyntaxNode;
      const field = n.fieldNameForChild(i);
      if (prevEnd >= 0) {
        const gap = src.slice(prevEnd, c.startIndex);
        if (/\S/.test(gap.replace(/\\\n/g, ''))) this.anomalies.push({ start: prevEnd + this.offset, end: c.startIndex + this.offset, text: gap });
      }
      prevEnd = c.endIndex;
      if (c.type === 'variable_assignment') assignments.push(this.assignment(c));
      else if (field === 'name') {
        const inner = c.namedChildren[0] ?? c;
        argv.push(...splitFields(this.word(inner)));
      } else if (field === 'redirect' || c.type.endsWith('_redirect')) redirects.push(this.redirect(c));
      else if (field === 'argument' || c.isNamed) argv.push(...splitFields(this.word(c)));
    }
    const name = argv[0]?.value;
    if (name === 'read' || name === 'mapfile' || name === 'readarray' || name === 'getopts') {
      for (const w of argv.slice(1)) if (/^[A-Za-z_]\w*$/.test(w.value)) this.vars.set(w.value, null);
    }
    if (name === 'printf' && argv[1]?.value === '-v' && argv[2]) this.vars.set(argv[2].value, null);
    return { kind: 'simple', assignments, argv, redirects, ...this.span(n) };
  }

  private heredoc(n: SyntaxNode): HereDoc {
    const start = n.children.find((c) => c.type === 'heredoc_start');
    const bodyNode = n.children.find((c) => c.type === 'heredoc_body');
    const literal = start !== undefined && /['"\\]/.test(start.text);
    if (bodyNode === undefined) return { body: '', literal, dynamic: [], subs: [] };
    if (literal) return { body: bodyNode.text, literal, dynamic: [], subs: [] };
    const acc = { value: '', dynamic: [] as string[], subs: [] as CommandNode[] };
    let pos = bodyNode.startIndex;
    const src = this.src;
    const text = (a: number, b: number): string => src.slice(a, b).replace(/\\([$`\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
    for (const c of bodyNode.namedChildren) {
      if (c.type === 'heredoc_content') continue;
      acc.value += text(pos, c.startIndex);
      const w = this.word(c);
      acc.value += w.value;
      acc.dynamic.push(...w.dynamic);
      acc.subs.push(...w.subs);
      pos = c.endIndex;
    }
    acc.value += text(pos, bodyNode.endIndex);
    return { body: acc.value, literal, dynamic: acc.dynamic, subs: acc.subs };
  }

  private redirect(n: SyntaxNode): Redirect {
    const s = this.span(n);
    if (n.type === 'heredoc_redirect') {
      const op = n.children.find((c) => c.type === '<<' || c.type === '<<-')?.type ?? '<<';
      return { op, fd: 0, heredoc: this.heredoc(n), ...s };
    }
    if (n.type === 'herestring_redirect') {
      const t = n.namedChildren[n.namedChildCount - 1];
      return { op: '<<<', fd: 0, ...(t ? { target: this.word(t) } : {}), ...s };
    }
    const fdNode = n.childForFieldName('descriptor');
    const dest = n.childForFieldName('destination');
    const op = n.children.find((c) => !c.isNamed && c.type !== 'ERROR')?.type ?? '?';
    const fd = fdNode ? Number(fdNode.text) : op.startsWith('<') ? 0 : 1;
    return { op, fd, ...(dest ? { target: this.word(dest) } : {}), ...s };
  }

  private redirected(n: SyntaxNode): CommandNode | undefined {
    const bodyNode = n.childForFieldName('body');
    const redirects: Redirect[] = [];
    let rest: CommandNode | undefined;
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i) as SyntaxNode;
      if (n.fieldNameForChild(i) !== 'redirect' && !c.type.endsWith('_redirect')) continue;
      if (c.type === 'heredoc_redirect') {
        rest = this.heredocTail(c) ?? rest;
      }
      redirects.push(this.redirect(c));
    }
    let body: CommandNode | undefined = bodyNode ? this.statement(bodyNode) : undefined;
    if (body === undefined) body = { kind: 'simple', assignments: [], argv: [], redirects: [], ...this.span(n) };
    body = attachRedirects(body, redirects);
    if (rest === undefined) return body;
    // Put the real command where the placeholder stands in the re-parsed tail.
    return substitute(rest, body as SimpleCommand);
  }

  /** tree-sitter-bash nests `| sh && x` after a heredoc start inside the heredoc node; re-parse that
   * tail behind a placeholder to recover bash's real structure. */
  private heredocTail(h: SyntaxNode): CommandNode | undefined {
    const start = h.children.find((c) => c.type === 'heredoc_start');
    const body = h.children.find((c) => c.type === 'heredoc_body' || c.type === 'heredoc_end');
    if (start === undefined) return undefined;
    const src = this.src;
    const endOfLine = src.indexOf('\n', start.endIndex);
    const tailEnd = body !== undefined ? Math.min(body.startIndex, endOfLine < 0 ? src.length : endOfLine) : endOfLine < 0 ? src.length : endOfLine;
    const tail = src.slice(start.endIndex, tailEnd);
    if (tail.trim() === '') return undefined;
    const saved = this.offset;
    this.offset = saved + start.endIndex - HEREDOC_PLACEHOLDER.length;
    try {
      const saveSrc = this.src;
      this.src = HEREDOC_PLACEHOLDER + tail;
      const root = this.ctx.reparse(this.src);
      const nodes = this.statements(root.children);
      this.src = saveSrc;
      if (nodes.length !== 1) {
        return { kind: 'error', text: tail, missing: false, start: start.endIndex + saved, end: tailEnd + saved };
      }
      return nodes[0];
    } finally {
      this.offset = saved;
    }
  }
}
