/**
 * The intent analyser reads the line, not the machine: `ls` is harmless to it even when the
 * session's PATH (from the driver's report) finds a `ls` the user wrote a moment ago. This adds
 * an `evasion` intent for every command name that resolves, through the reported PATH, to a file
 * the session's account could have written (not root-owned, or in a directory that is not
 * root-owned or is world-writable without the sticky bit): running freshly written code is evasion.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Intent } from '../../core/intent.js';
import type { Analysis, CommandNode } from '../../intent/index.js';
import type { ShellContext } from './judge.js';

/** Names bash runs itself, before any PATH lookup. */
const BUILTINS = new Set(('. : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo ' +
  'enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read ' +
  'readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait').split(' '));

function simpleNames(nodes: readonly unknown[], out: { name: string; start: number; end: number }[], depth = 0): void {
  if (depth > 64) return;
  for (const n of nodes) {
    if (n === null || typeof n !== 'object') continue;
    const node = n as Partial<CommandNode> & Record<string, unknown>;
    if (node.kind === 'simple') {
      const w = node.argv?.[0];
      if (w && w.dynamic.length === 0) out.push({ name: w.value, start: w.start, end: w.end });
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) simpleNames(v, out, depth + 1);
      else if (v !== null && typeof v === 'object') simpleNames([v], out, depth + 1);
    }
  }
}

function writableByUser(file: string): boolean {
  try {
    const f = statSync(file);
    if (!f.isFile() || (f.mode & 0o111) === 0) return false;
    if (f.uid !== 0) return true;
    const d = statSync(join(file, '..'));
    return d.uid !== 0 || ((d.mode & 0o002) !== 0 && (d.mode & 0o1000) === 0);
  } catch {
    return false;
  }
}

function resolve(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function plantedIntents(a: Analysis, ctx: ShellContext | undefined): Intent[] {
  if (ctx === undefined) return [];
  const names: { name: string; start: number; end: number }[] = [];
  simpleNames(a.commands, names);
  const out: Intent[] = [];
  for (const n of names) {
    if (n.name.includes('/') || BUILTINS.has(n.name) || ctx.functions.has(n.name)) continue;
    const file = resolve(n.name, ctx.path);
    if (file === undefined || !writableByUser(file)) continue;
    out.push({
      category: 'evasion',
      severity: 'high',
      explanation: `${n.name} resolves through PATH to ${file}, a program the session's account could have written`,
      evidence: { start: n.start, end: n.end, text: a.line.slice(n.start, n.end), path: [] },
      details: { binaries: [n.name], paths: [file] },
    });
  }
  return out;
}
