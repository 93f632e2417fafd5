/**
 * Tab completion for the guarded editor, computed in bulwark from the shell's reported cwd and PATH
 * (the shell itself is never asked, so completing cannot run anything). Command position completes
 * executables on PATH, functions and paths; elsewhere paths relative to the cwd. Names that need
 * quoting get a backslash before each special character.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { completionWord } from '../../lineeditor/index.js';
import type { ShellContext } from './judge.js';

const MAX = 2000;

function quote(name: string): string {
  return name.replace(/([^A-Za-z0-9_./,:@%+=~-])/g, '\\$1');
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const list = await readdir(dir, { withFileTypes: true });
    return list.slice(0, 20_000).map((e) => ({ name: e.name, dir: e.isDirectory() }));
  } catch {
    return [];
  }
}

function inCommandPosition(text: string, start: number): boolean {
  const before = text.slice(0, start).replace(/[ \t]+$/, '');
  return before === '' || /[;&|(\n]$/.test(before) || /(^|[\s;&|(])(sudo|then|do|else|time|!)$/.test(before);
}

/** Candidates replacing the word before `cursor` (already quoted for bash). */
export async function completeLine(text: string, cursor: number, ctx: ShellContext, home: string): Promise<string[]> {
  const { start, word } = completionWord(text, cursor);
  const out = new Set<string>();
  const slash = word.lastIndexOf('/');
  if (inCommandPosition(text, start) && slash < 0) {
    for (const f of ctx.functions.keys()) if (f.startsWith(word)) out.add(f);
    const dirs = ctx.path.split(':').filter((d) => d !== '' && isAbsolute(d));
    for (const list of await Promise.all(dirs.map(entries))) {
      for (const e of list) if (!e.dir && e.name.startsWith(word) && out.size < MAX) out.add(quote(e.name));
    }
    if (word === '') return [...out].sort();
  }
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const prefix = word.slice(slash + 1);
  const expanded = dirPart.startsWith('~/') ? join(home, dirPart.slice(2)) : dirPart;
  const base = expanded === '' ? ctx.cwd : isAbsolute(expanded) ? expanded : join(ctx.cwd, expanded);
  for (const e of await entries(base)) {
    if (out.size >= MAX) break;
    if (!e.name.startsWith(prefix) || (prefix === '' && e.name.startsWith('.'))) continue;
    out.add(dirPart + quote(e.name) + (e.dir ? '/' : ''));
  }
  return [...out].sort();
}
