/** Shells and shell builtins that run text: sh/bash -c, scripts, commands read from stdin (here-
 * docs, here-strings, pipes), eval and source. Text that is only known at run time (downloaded,
 * decoded, substituted) cannot be judged and is evasion; literal text is analysed recursively. */
import type { Judge } from '../judge.js';
import type { Invocation, Stdin } from '../invocation.js';
import { parseArgs, has } from '../invocation.js';
import { UNKNOWN } from '../types.js';
import type { RuleTable } from './table.js';
import { SHELLS } from './unwrap.js';

const PRIV = /^(?:sudo|doas|pkexec|su|run0|runuser|chroot)\b/;

export function describeStdin(s: Stdin): string {
  switch (s.kind) {
    case 'pipe':
      return s.producer ? `the output of ${s.producer.name}` : 'a pipe';
    case 'text':
      return `a ${s.how}`;
    case 'file':
      return s.path;
    default:
      return 'its input';
  }
}

/** A program that reads code (shell commands, SQL, scripts) from stdin: returns literal text,
 * or reports why it cannot be known. */
export function stdinCode(j: Judge, inv: Invocation, what: string): string | undefined {
  const s = inv.stdin;
  if (s.kind === 'text') {
    if (!s.dynamic) return s.text;
    j.emit(inv, 'evasion', 'high', `${what} from a ${s.how} with expansions only known at run time`);
    return undefined;
  }
  if (s.kind === 'pipe') {
    if (s.text !== undefined) return s.text;
    j.emit(inv, 'evasion', 'critical', `${what} from ${describeStdin(s)}, which cannot be analysed`);
    return undefined;
  }
  if (s.kind === 'file') {
    const t = j.written.has(s.path) ? undefined : j.scope.readFile?.(j.absolute(s.path));
    if (t === undefined) j.emit(inv, 'evasion', 'high', `${what} from the file ${s.path}, which cannot be read and analysed`, { paths: [s.path] });
    return t;
  }
  j.emit(inv, 'evasion', 'high', `${what} from an input that cannot be analysed`);
  return undefined;
}

function shellRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'] }, true);
  const rc = p.flags.get('--rcfile') ?? p.flags.get('--init-file');
  if (typeof rc === 'string') j.script(rc, inv, `${inv.name} --rcfile`);
  if (has(p, '-c')) {
    const text = p.positionals[0];
    if (text === undefined) return;
    if (text.includes(UNKNOWN)) {
      j.emit(inv, 'evasion', 'critical', `${inv.name} -c runs text that is only known at run time`);
      return;
    }
    j.shell(text, inv, `${inv.name} -c`);
    return;
  }
  const script = has(p, '-s') ? undefined : p.positionals[0];
  const w = script !== undefined ? inv.argv[(p.positionalIdx[0] ?? 0) + 1] : undefined;
  if (script !== undefined && script !== '-' && script !== '/dev/stdin') {
    if (w?.procSub || script.includes(UNKNOWN)) {
      j.emit(inv, 'evasion', 'critical', `${inv.name} runs a script produced at run time (${w?.raw ?? script})`);
      return;
    }
    j.script(script, inv, `${inv.name} ${script}`);
    return;
  }
  if (inv.stdin.kind === 'tty') {
    j.interactive.add(inv.name);
    if (inv.path.some((x) => PRIV.test(x))) {
      j.emit(inv, 'privilege.escalation', 'critical', `opens an interactive ${inv.name} through ${inv.path.find((x) => PRIV.test(x))}`);
    }
    return;
  }
  const text = stdinCode(j, inv, `${inv.name} runs commands read`);
  if (text === undefined) return;
  j.emit(inv, 'evasion', 'medium', `${inv.name} runs commands fed on stdin (${describeStdin(inv.stdin)}), not typed as a command line`);
  j.shell(text, inv, `${inv.name} <stdin`);
}

export const shells: RuleTable = {
  'sh bash zsh dash ksh mksh ash yash fish tcsh csh'(inv, j) {
    shellRule(inv, j);
  },
  eval(inv, j) {
    const text = inv.args.join(' ');
    if (text.includes(UNKNOWN)) {
      j.emit(inv, 'evasion', 'critical', 'eval runs text that is only known at run time');
      return;
    }
    j.emit(inv, 'evasion', 'medium', 'eval re-parses its arguments as a new command line');
    j.shell(text, inv, 'eval');
  },
  'source .'(inv, j) {
    const file = inv.args[0];
    const w = inv.argv[1];
    if (file === undefined) return;
    if (w?.procSub || file.includes(UNKNOWN) || file === '/dev/stdin' || file === '-') {
      j.emit(inv, 'evasion', 'critical', `${inv.name} runs code produced at run time (${w?.raw ?? file})`);
      return;
    }
    j.script(file, inv, `${inv.name} ${file}`);
  },
};

export { SHELLS };
