/** Our own quote removal, unescaping and expansion resolution. tree-sitter keeps the source text
 * (backslashes, quotes) that bash removes; judging that text would let `\rm` or `r''m` slip past
 * a rule for `rm`, so every word is rebuilt here the way bash would see it. */
import type { SyntaxNode } from './parse.js';
import { UNKNOWN, type CommandNode, type Word } from './types.js';

export interface WordEnv {
  /** Known variable values; `undefined` for names we know nothing about. */
  lookup(name: string): string | undefined;
  /** Builds the command trees of a substitution (they run, so they are judged too). */
  commands(node: SyntaxNode): CommandNode[];
}

interface Acc {
  value: string;
  quoted: boolean;
  dynamic: string[];
  glob: boolean;
  fromVariable: boolean;
  subs: CommandNode[];
  procSub: boolean;
}

const GLOB = /[*?[]/;

/** Unquoted word text: backslash removes itself and quotes the next character. */
function unescapeBare(text: string, acc: Acc): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      acc.quoted = true;
      const n = text[i + 1];
      if (n === undefined) break;
      if (n !== '\n') acc.value += n;
      i++;
      continue;
    }
    if (c === '*' || c === '?' || c === '[') acc.glob = true;
    acc.value += c;
  }
}

/** Inside double quotes a backslash only escapes $ ` " \ and newline. */
function unescapeDouble(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const n = text[i + 1];
    if (c === '\\' && n !== undefined && '$`"\\\n'.includes(n)) {
      if (n !== '\n') out += n;
      i++;
    } else out += c;
  }
  return out;
}

/** Resolves bash ANSI-C quoting ($'...') fully, as bash does. */
export function decodeAnsiC(body: string): string {
  let out = '';
  const simple: Record<string, string> = {
    a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
    '\\': '\\', "'": "'", '"': '"', '?': '?',
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i] as string;
    const mapped = simple[n];
    if (mapped !== undefined) {
      out += mapped;
    } else if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const max = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(body.slice(i + 1));
      if (m === null) out += `\\${n}`;
      else {
        const cp = parseInt(m[0], 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : UNKNOWN;
        i += m[0].length;
      }
    } else if (n === 'c' && i + 1 < body.length) {
      out += String.fromCharCode((body.charCodeAt(++i) & 0x1f) >>> 0);
    } else out += `\\${n}`;
  }
  return out;
}

function expansionValue(node: SyntaxNode, env: WordEnv, acc: Acc): void {
  const names = node.namedChildren.filter((c) => c.type === 'variable_name' || c.type === 'special_variable_name');
  const name = names[0]?.text;
  const isIndirect = node.children.some((c) => c.type === '!' ) && node.type === 'expansion' && node.text.startsWith('${!');
  if (isIndirect) {
    acc.dynamic.push('${!…} indirect expansion');
    acc.value += UNKNOWN;
    return;
  }
  if (name === undefined) {
    acc.dynamic.push(node.text);
    acc.value += UNKNOWN;
    return;
  }
  if (name === 'IFS') acc.dynamic.push('$IFS word splitting trick');
  // Only plain `$x`/`${x}` and the default forms are resolved; other operators change the value.
  const simple = node.type === 'simple_expansion' || node.namedChildCount === 1;
  const known = name === 'IFS' ? undefined : env.lookup(name);
  if (known !== undefined && simple) {
    acc.value += known;
    acc.fromVariable = true;
    return;
  }
  const op = node.childForFieldName('operator')?.type;
  if (known === undefined && (op === ':-' || op === '-') && node.namedChildCount === 2) {
    const def = node.namedChildren[1] as SyntaxNode;
    appendNode(def, env, acc, true);
    acc.fromVariable = true;
    return;
  }
  if (name === 'HOME' && known === undefined && simple) {
    acc.value += '~';
    return;
  }
  acc.dynamic.push(node.text.length > 40 ? `${node.text.slice(0, 40)}…` : node.text);
  acc.value += UNKNOWN;
}

function appendNode(node: SyntaxNode, env: WordEnv, acc: Acc, inDouble: boolean): void {
  switch (node.type) {
    case 'word':
    case 'number':
    case 'variable_name':
    case 'special_variable_name':
    case 'file_descriptor':
      if (inDouble) acc.value += node.text;
      else unescapeBare(node.text, acc);
      return;
    case 'string_content':
      acc.value += unescapeDouble(node.text);
      return;
    case 'raw_string':
      acc.quoted = true;
      acc.value += node.text.slice(1, -1);
      return;
    case 'ansi_c_string':
      acc.quoted = true;
      acc.value += decodeAnsiC(node.text.slice(2, -1));
      return;
    case 'string':
    case 'translated_string': {
      acc.quoted = true;
      // string_content nodes skip whitespace-only runs; rebuild from the gaps between children.
      const src = node.text;
      const base = node.startIndex;
      let pos = node.type === 'string' ? 1 : 2;
      for (const c of node.namedChildren) {
        const s = c.startIndex - base;
        if (s > pos) acc.value += unescapeDouble(src.slice(pos, s));
        appendNode(c, env, acc, true);
        pos = c.endIndex - base;
      }
      const end = src.length - 1;
      if (end > pos) acc.value += unescapeDouble(src.slice(pos, end));
      return;
    }
    case 'concatenation': {
      const src = node.text;
      const base = node.startIndex;
      let pos = 0;
      for (const c of node.children) {
        const s = c.startIndex - base;
        if (s > pos) unescapeBare(src.slice(pos, s), acc);
        appendNode(c, env, acc, inDouble);
        pos = c.endIndex - base;
      }
      if (pos < src.length) unescapeBare(src.slice(pos), acc);
      return;
    }
    case 'simple_expansion':
    case 'expansion':
      expansionValue(node, env, acc);
      return;
    case 'command_substitution':
      acc.dynamic.push('$(…) command substitution');
      acc.subs.push(...env.commands(node));
      acc.value += UNKNOWN;
      return;
    case 'process_substitution':
      acc.dynamic.push('process substitution');
      acc.procSub = true;
      acc.subs.push(...env.commands(node));
      acc.value += UNKNOWN;
      return;
    case 'arithmetic_expansion':
      acc.dynamic.push('$((…)) arithmetic');
      acc.subs.push(...env.commands(node));
      acc.value += UNKNOWN;
      return;
    case 'brace_expression':
      acc.dynamic.push('brace expansion');
      acc.value += UNKNOWN;
      return;
    default:
      if (node.childCount === 0) {
        if (inDouble) acc.value += node.text;
        else unescapeBare(node.text, acc);
        return;
      }
      // Anything we do not model (extglob, ERROR inside a word) is unknown, never trusted.
      acc.dynamic.push(`unmodelled ${node.type}`);
      acc.subs.push(...env.commands(node));
      acc.value += UNKNOWN;
  }
}

export function resolveWord(node: SyntaxNode, env: WordEnv, offset = 0): Word {
  const acc: Acc = { value: '', quoted: false, dynamic: [], glob: false, fromVariable: false, subs: [], procSub: false };
  appendNode(node, env, acc, false);
  if (/^\{[^{}]*[,][^{}]*\}$|\{[^{}\s]*\.\.[^{}\s]*\}/.test(node.text) && !acc.quoted) {
    acc.dynamic.push('brace expansion');
  }
  const w: Word = {
    raw: node.text,
    start: node.startIndex + offset,
    end: node.endIndex + offset,
    value: acc.value,
    quoted: acc.quoted,
    dynamic: acc.dynamic,
    glob: acc.glob && GLOB.test(acc.value),
    fromVariable: acc.fromVariable,
    subs: acc.subs,
    ...(acc.procSub ? { procSub: true } : {}),
  };
  return w;
}

/** A word made from plain text (an argv element built by unwrapping, e.g. after `--`). */
export function literalWord(value: string, start: number, end: number): Word {
  return { raw: value, start, end, value, quoted: false, dynamic: [], glob: false, fromVariable: false, subs: [] };
}

/** The unknown word xargs/find append: anything could be there. */
export function unknownWord(start: number, end: number, why: string, prefix = ''): Word {
  return { raw: '{}', start, end, value: prefix + UNKNOWN, quoted: false, dynamic: [why], glob: false, fromVariable: false, subs: [] };
}

/** Field splitting of an unquoted expansion whose value we know (`a="rm -rf"; $a x`). */
export function splitFields(w: Word): Word[] {
  if (!w.fromVariable || w.quoted || !/[ \t\n]/.test(w.value)) return [w];
  return w.value
    .split(/[ \t\n]+/)
    .filter((s) => s.length > 0)
    .map((s) => ({ ...w, value: s, glob: GLOB.test(s) }));
}
