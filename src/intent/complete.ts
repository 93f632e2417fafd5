/** Is this input a complete parse unit, or does bash need more lines? A small lexical scan (quotes,
 * substitutions, here-docs, compound keywords, trailing `\`, `|`, `&&`, `||`), independent of
 * tree-sitter, whose error recovery cannot tell "unfinished" from "malformed". */

const OPENERS: Record<string, string> = { if: 'fi', case: 'esac', for: 'done', while: 'done', until: 'done', select: 'done', '{': '}' };
const CLOSERS = new Set(['fi', 'esac', 'done', '}']);
/** After these words the next word is again in command position. */
const LEADERS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', 'time', '{']);

export function isComplete(text: string): boolean {
  const stack: string[] = [];
  const heredocs: { delim: string; strip: boolean }[] = [];
  let cmdPos = true;
  let lastOp = '';
  let fnName = false;
  let i = 0;
  const n = text.length;
  const top = (): string | undefined => stack[stack.length - 1];
  const inQuote = (): boolean => top() === "'" || top() === '"' || top() === "$'";

  while (i < n) {
    const c = text[i] as string;
    const q = top();
    if (q === "'") {
      if (c === "'") stack.pop();
      i++;
      continue;
    }
    if (q === "$'") {
      if (c === '\\') i += 2;
      else {
        if (c === "'") stack.pop();
        i++;
      }
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n) return false;
      i += 2;
      cmdPos = false;
      lastOp = '';
      continue;
    }
    if (q === '${' && c !== '"' && c !== "'" && !(c === '$' && (text[i + 1] === '(' || text[i + 1] === '{'))) {
      if (c === '}') stack.pop();
      i++;
      continue;
    }
    if (q === '"') {
      if (c === '"') stack.pop();
      else if (c === '`') stack.push('`');
      else if (c === '$' && text[i + 1] === '(') {
        stack.push('$(');
        i++;
      } else if (c === '$' && text[i + 1] === '{') {
        stack.push('${');
        i++;
      }
      i++;
      continue;
    }
    if (c === '\n') {
      if (heredocs.length > 0) {
        const r = consumeHeredocs(text, i + 1, heredocs);
        if (r < 0) return false;
        heredocs.length = 0;
        i = r;
      } else i++;
      cmdPos = true;
      continue;
    }
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || /[\s;&|()]/.test(text[i - 1] as string))) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    lastOp = '';
    if (c === "'") {
      stack.push("'");
      i++;
      cmdPos = false;
      continue;
    }
    if (c === '"') {
      stack.push('"');
      i++;
      cmdPos = false;
      continue;
    }
    if (c === '`') {
      if (q === '`') stack.pop();
      else stack.push('`');
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === "'") {
      stack.push("$'");
      i += 2;
      continue;
    }
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      stack.push(text[i + 1] === '(' ? '$(' : '${');
      i += 2;
      cmdPos = text[i - 1] === '(';
      continue;
    }
    if (c === '}' && q === '${') {
      stack.pop();
      i++;
      continue;
    }
    if (c === '(') {
      if (q !== 'case') stack.push('(');
      i++;
      cmdPos = true;
      continue;
    }
    if (c === ')') {
      if (q === '(' || q === '$(') stack.pop();
      i++;
      // After `name()` (or a subshell, where a word would be a syntax error anyway) the next word
      // is a compound command: `f() {` must ask for the body, not submit.
      cmdPos = q === 'case' || q === '(';
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const strip = text[i + 2] === '-';
      let j = i + (strip ? 3 : 2);
      while (text[j] === ' ' || text[j] === '\t') j++;
      const m = /^(?:'([^']*)'|"([^"]*)"|((?:\\.|[^\s;&|<>()])+))/.exec(text.slice(j));
      if (m) {
        const delim = m[1] ?? m[2] ?? (m[3] ?? '').replace(/\\(.)/g, '$1').replace(/['"]/g, '');
        heredocs.push({ delim, strip });
        i = j + m[0].length;
      } else i = j;
      cmdPos = false;
      continue;
    }
    if (c === '|' || c === '&' || c === ';') {
      const two = text.slice(i, i + 2);
      const op = two === '&&' || two === '||' || two === ';;' || two === '|&' ? two : c;
      i += op.length;
      lastOp = op === '|' || op === '&&' || op === '||' || op === '|&' ? op : '';
      cmdPos = true;
      continue;
    }
    if (c === '<' || c === '>') {
      i++;
      cmdPos = false;
      continue;
    }
    // A word.
    const m = /^(?:\\.|[^\s;&|()<>'"`$\\]|\$(?![('{]))+/.exec(text.slice(i));
    const word = m ? m[0] : c;
    if (cmdPos && q !== '`') {
      const closer = OPENERS[word];
      if (closer !== undefined) stack.push(word === '{' ? '{' : word === 'if' ? 'if' : word === 'case' ? 'case' : 'loop');
      else if (CLOSERS.has(word)) {
        const want = word === 'fi' ? 'if' : word === 'esac' ? 'case' : word === 'done' ? 'loop' : '{';
        if (top() === want) stack.pop();
      }
    }
    const wasCmdPos = cmdPos;
    if (word === 'in' && top() === 'case') cmdPos = false;
    else if (fnName) cmdPos = true; // `function name {`: the body follows the name
    else cmdPos = LEADERS.has(word) && cmdPos;
    fnName = wasCmdPos && word === 'function';
    i += word.length;
    if (!m) i = i === 0 ? 1 : i;
  }
  if (heredocs.length > 0) return false;
  if (stack.length > 0 && !inQuote()) return false;
  if (inQuote()) return false;
  return lastOp === '';
}

function consumeHeredocs(text: string, from: number, docs: { delim: string; strip: boolean }[]): number {
  let pos = from;
  for (const d of docs) {
    for (;;) {
      if (pos >= text.length) return -1;
      const nl = text.indexOf('\n', pos);
      const line = text.slice(pos, nl < 0 ? text.length : nl);
      pos = nl < 0 ? text.length : nl + 1;
      if ((d.strip ? line.replace(/^\t+/, '') : line) === d.delim) break;
      if (nl < 0) return -1;
    }
  }
  return pos;
}
