/** Rule dispatch: checks the program word itself (quoting, expansions, wildcards, scripts), runs
 * the checks every program gets (secret paths, sockets, control-channel descriptors), then the
 * rules registered for the program's name. `runInner` is how wrappers hand over what they run. */
import type { Judge } from '../judge.js';
import type { Invocation, Stdin } from '../invocation.js';
import type { Word } from '../types.js';
import { UNKNOWN } from '../types.js';
import { unknownWord } from '../words.js';
import type { Rule, RuleTable } from './table.js';
import { judgeRead } from './redirects.js';
import { containsSecrets, controlChannelPath, networkDevicePath, secretPath } from './paths.js';
import { session } from './session.js';
import { wrappers } from './unwrap.js';
import { shells } from './shells.js';
import { interpreters } from './interpreters.js';
import { filesystem } from './filesystem.js';
import { cloud } from './cloud.js';
import { cluster } from './cluster.js';
import { database } from './database.js';
import { network } from './network.js';
import { secrets } from './secrets.js';
import { system } from './system.js';

const registry = new Map<string, Rule[]>();
for (const table of [session, wrappers, shells, interpreters, filesystem, cloud, cluster, database, network, secrets, system] as RuleTable[]) {
  for (const [keys, rule] of Object.entries(table)) {
    for (const k of keys.split(' ')) {
      const list = registry.get(k) ?? [];
      list.push(rule);
      registry.set(k, list);
    }
  }
}

function rulesFor(name: string): Rule[] | undefined {
  return registry.get(name) ?? registry.get(name.replace(/\.[^.]+$/, '')) ?? registry.get(name.replace(/[\d.]+$/, ''));
}

/** Programs that only look at names or metadata of files: a secret path as argument is not a read. */
const METADATA = new Set(
  ('ls stat file test [ [[ du wc md5sum sha1sum sha224sum sha256sum sha384sum sha512sum b2sum cksum chmod chown chgrp ' +
    'touch realpath readlink basename dirname namei getfacl lsattr echo printf cd pushd mkdir man type which whereis ' +
    'command ssh-keygen ssh ssh-add find rm rmdir unlink shred truncate export unset local declare apropos whatis ' +
    'info help alias trap kubectl git lsof fuser').split(' '),
);
const RECURSIVE_READERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'cp', 'tar', 'zip', '7z', 'rsync', 'scp', 'cat']);

/** Locations we treat as someone's scripts rather than installed programs. */
const SCRIPT_DIR = /^(?:~|\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/home\/|\/root\/|\/run\/user\/)/;

export function runInvocation(j: Judge, inv: Invocation): void {
  const w = inv.argv[0] as Word;
  if (w.dynamic.length > 0 || w.value.includes(UNKNOWN)) {
    j.emit(inv, 'evasion', 'high', `the command name is only known at run time (${w.dynamic.join(', ') || 'unresolved'})`, {}, w.raw);
    genericChecks(j, inv);
    return;
  }
  if (w.glob) {
    j.emit(inv, 'evasion', 'high', `wildcard in the command name ${w.raw}`, {}, w.raw);
    return;
  }
  if (w.fromVariable) j.emit(inv, 'evasion', 'medium', `the command name ${w.raw} comes from a variable (${w.value})`);
  if (w.quoted) j.emit(inv, 'evasion', 'high', `quoting or escaping in the command name ${w.raw} hides ${w.value}`);
  if (w.value === '') return;
  const isScript = (w.value.includes('/') && !w.value.startsWith('/')) || SCRIPT_DIR.test(w.value) || j.written.has(w.value);
  if (isScript) {
    genericChecks(j, inv);
    j.script(w.value, inv, w.value);
    return;
  }
  genericChecks(j, inv);
  const rules = rulesFor(inv.name);
  if (rules === undefined) return;
  for (const r of rules) r(inv, j);
}

/** Every program: sockets and control-channel paths in arguments, and secret files it is given. */
function genericChecks(j: Judge, inv: Invocation): void {
  const reads = !METADATA.has(inv.name);
  const recursive = inv.args.some((a) => /^-[a-zA-Z]*[rR]|^--recursive$|^-[a-z]*[cx]/.test(a)) || inv.name === 'tar' || inv.name === 'zip';
  for (const a of inv.args) {
    if (networkDevicePath(a) !== undefined || controlChannelPath(a)) {
      judgeRead(j, inv, a, inv.name);
      continue;
    }
    if (reads && secretPath(a) !== undefined) judgeRead(j, inv, a, inv.name);
    else if (reads && recursive && RECURSIVE_READERS.has(inv.name) && !a.startsWith('-') && containsSecrets(a)) {
      j.emit(inv, 'secrets.read', 'medium', `${inv.name} reads everything under ${a}, secret files included`, { paths: [a] });
    }
  }
}

export interface InnerOptions {
  stdin?: Stdin;
  /** Add an argument nobody can know (xargs input, find's `{}`). */
  appendUnknown?: string;
  env?: ReadonlyMap<string, string>;
}

/** Judges the program a wrapper runs: argv from `from` on, same redirects, path extended. */
export function runInner(j: Judge, inv: Invocation, from: number, label: string, opts: InnerOptions = {}): void {
  const words: Word[] = inv.argv.slice(from + 1);
  if (opts.appendUnknown !== undefined) words.push(unknownWord(inv.span.start, inv.span.end, opts.appendUnknown));
  runWords(j, inv, words, label, opts);
}

/** Like runInner with an explicit argv (find -exec with `{}` replaced, kubectl exec after `--`). */
export function runWords(j: Judge, inv: Invocation, words: Word[], label: string, opts: InnerOptions = {}): void {
  const first = words[0];
  if (first === undefined) return;
  if (j.depth >= 12) {
    j.emit(inv, 'evasion', 'high', 'wrappers nested too deeply to analyse');
    return;
  }
  j.depth++;
  try {
    const inner: Invocation = {
      argv: words,
      name: baseName(first.value),
      args: words.slice(1).map((x) => x.value),
      redirects: [],
      stdin: opts.stdin ?? inv.stdin,
      stdoutPiped: inv.stdoutPiped,
      path: [...inv.path, label],
      span: inv.span,
      env: opts.env ?? inv.env,
    };
    runInvocation(j, inner);
  } finally {
    j.depth--;
  }
}

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 && i < p.length - 1 ? p.slice(i + 1) : p;
}
