/** Splitting a .cedar file into its policies and mapping Cedar's byte offsets back to lines, so every
 * problem an operator sees names a file and a line. */

export interface PolicyChunk {
  /** The policy's text, annotations included, up to and including its `;`. */
  readonly text: string;
  /** UTF-16 index of the first character of `text` in the file. */
  readonly start: number;
}

/**
 * Cuts a file at each top-level `;`. In Cedar a `;` only ends a policy (bodies are expressions, not
 * statements), so outside strings and `//` comments every `;` is a boundary. The loader cross-checks
 * the count with Cedar's own parser and refuses the file if they disagree.
 */
export function splitPolicies(text: string): PolicyChunk[] {
  const chunks: PolicyChunk[] = [];
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    if (ch !== undefined && !/\s/.test(ch) && start < 0) start = i;
    if (ch === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (ch === ';' && start >= 0) {
      chunks.push({ text: text.slice(start, i + 1), start });
      start = -1;
    }
    i += 1;
  }
  return chunks;
}

/** Line and column (1-based, column in characters) of a UTF-8 byte offset, as Cedar reports them. */
export function locateByte(text: string, byteOffset: number): { line: number; column: number } {
  const prefix = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  return locateChar(prefix, prefix.length);
}

export function locateChar(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
