/** Interpreters and text tools that can run commands: python/perl/ruby/node inline code, awk
 * `system()` and command pipes, sed `e` and `w`, editor and pager shell escapes. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { has, parseArgs, value } from '../invocation.js';
import type { RuleTable } from './table.js';
import { judgeCode, type Lang } from './code.js';
import { stdinCode } from './shells.js';
import { judgeRead, judgeWrite } from './redirects.js';

interface InterpSpec {
  lang: Lang;
  /** Options whose value is inline code. */
  code: readonly string[];
  valued: readonly string[];
}

const SPECS: Record<string, InterpSpec> = {
  python: { lang: 'python', code: ['-c'], valued: ['-m', '-W', '-X', '-Q'] },
  perl: { lang: 'perl', code: ['-e', '-E'], valued: ['-I', '-M', '-m', '-x', '-0', '-l'] },
  ruby: { lang: 'ruby', code: ['-e'], valued: ['-I', '-r', '-C', '-E', '-F'] },
  node: { lang: 'node', code: ['-e', '--eval', '-p', '--print'], valued: ['-r', '--require', '--import', '--loader', '--input-type'] },
  php: { lang: 'php', code: ['-r', '-R', '-B', '-E'], valued: ['-c', '-d', '-z'] },
  other: { lang: 'other', code: ['-e', '--eval', '-c', '-Command', '-command', '-EncodedCommand', '-enc'], valued: [] },
};

function interpreter(spec: InterpSpec) {
  return (inv: Invocation, j: Judge): void => {
    const p = parseArgs(inv.args, { valued: [...spec.code, ...spec.valued] }, true);
    const codes = spec.code.map((c) => p.flags.get(c)).filter((c): c is string => typeof c === 'string');
    if (spec.lang === 'perl' && inv.args.some((a) => /^-[a-zA-Z]*i/.test(a))) {
      for (const f of p.positionals) judgeWrite(j, inv, f, 'append');
    }
    if (codes.length > 0) {
      judgeCode(j, inv, spec.lang, codes.join('\n'), `${inv.name} ${spec.code[0] ?? ''}`.trim());
      return;
    }
    const mod = value(p, '-m');
    if (mod !== undefined) {
      if (/^(?:http\.server|SimpleHTTPServer|smtpd|ftplib|pyftpdlib)$/.test(mod)) j.emit(inv, 'exfiltration', 'high', `python -m ${mod} serves files from this host`);
      return;
    }
    const script = p.positionals[0];
    const w = script !== undefined ? inv.argv[(p.positionalIdx[0] ?? 0) + 1] : undefined;
    if (script !== undefined && script !== '-') {
      if (w?.procSub || j.written.has(script) || j.written.has(j.absolute(script))) {
        j.emit(inv, 'evasion', 'high', `${inv.name} runs ${w?.raw ?? script}, code written or produced by this same command`);
      }
      return;
    }
    if (inv.stdin.kind === 'tty') {
      j.interactive.add(inv.name);
      return;
    }
    const code = stdinCode(j, inv, `${inv.name} runs code read`);
    if (code !== undefined) judgeCode(j, inv, spec.lang, code, `${inv.name} <stdin`);
  };
}

function awkRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-F', '-v', '-f', '-o', '-e', '--file', '--source', '--assign', '--field-separator'] });
  const file = value(p, '-f', '--file');
  if (file !== undefined) {
    j.emit(inv, 'evasion', 'medium', `${inv.name} runs the program file ${file}, which is not analysed`);
    return;
  }
  const prog = value(p, '-e', '--source') ?? p.positionals[0] ?? '';
  for (const m of prog.matchAll(/system\s*\(\s*(?:"((?:\\.|[^"])*)")?/g)) {
    j.emit(inv, 'evasion', 'high', `${inv.name} program runs shell commands with system()`);
    if (m[1] !== undefined) j.shell(m[1].replace(/\\(.)/g, '$1'), inv, `${inv.name} system()`);
  }
  if (/\|\s*&?\s*(?:"|[A-Za-z_])|"\s*\|\s*getline|\|&/.test(prog.replace(/\|\|/g, ''))) {
    j.emit(inv, 'evasion', 'high', `${inv.name} program pipes to or from a shell command`);
  }
  for (const m of prog.matchAll(/>(>?)\s*"([^"]+)"/g)) judgeWrite(j, inv, m[2] ?? '', m[1] ? 'append' : 'truncate');
}

/** Splits a sed script into commands and reports `e`, `s///e`, `w`/`W` writes and `r`/`R` reads. */
function sedRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-e', '--expression', '-f', '--file', '-l', '--line-length'] });
  const scripts: string[] = [];
  inv.args.forEach((a, i) => {
    if ((a === '-e' || a === '--expression') && inv.args[i + 1] !== undefined) scripts.push(inv.args[i + 1] as string);
    else if (a.startsWith('--expression=')) scripts.push(a.slice(13));
  });
  const files = [...p.positionals];
  if (scripts.length === 0 && files.length > 0) scripts.push(files.shift() as string);
  if (value(p, '-f', '--file') !== undefined) j.emit(inv, 'evasion', 'medium', 'sed runs a script file that is not analysed');
  const script = scripts.join('\n');
  // Remove regex/replacement bodies of s commands so their text is not read as commands.
  const bare = script.replace(/s(.)(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1([a-zA-Z0-9]*)(\s*\S*)/g, (_m, _d, flags: string, rest: string) => {
    if (flags.includes('e')) j.emit(inv, 'evasion', 'high', 'sed s///e runs the pattern space as a shell command');
    if (flags.includes('w')) judgeWrite(j, inv, rest.trim(), 'append');
    return ';';
  });
  for (const cmd of bare.split(/[;\n{}]/)) {
    const c = cmd.replace(/^\s*(?:\d+|\$|\/(?:\\.|[^/])*\/)?(?:\s*,\s*(?:\d+|\$|\/(?:\\.|[^/])*\/))?\s*!?\s*/, '');
    const m = /^([ewWrR])\s*(.*)$/.exec(c);
    if (!m) continue;
    if (m[1] === 'e') {
      j.emit(inv, 'evasion', 'high', 'sed e runs shell commands');
      if (m[2]) j.shell(m[2], inv, 'sed e');
    } else if (m[1] === 'w' || m[1] === 'W') judgeWrite(j, inv, m[2] ?? '', 'append');
    else judgeRead(j, inv, m[2] ?? '', 'sed');
  }
  if (has(p, '-i', '--in-place') || inv.args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'))) {
    for (const f of files) judgeWrite(j, inv, f, 'append');
  }
}

const EX_ESCAPE = /^\s*:*\s*(?:!|r(?:ead)?\s*!|w(?:rite)?\s*!|sh(?:ell)?\b|te(?:rminal)?\b|.*\bsystem\s*\(|.*\bsystemlist\s*\(|py(?:thon)?3?\b|lua\b|perl\b|ruby\b|so(?:urce)?\b|call\b|exe(?:cute)?\b)/;

function editorRule(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-c', '--cmd', '-S', '-u', '-i', '-T', '-w', '-W', '-s'] });
  const cmds: string[] = [];
  inv.args.forEach((a, i) => {
    if ((a === '-c' || a === '--cmd') && inv.args[i + 1] !== undefined) cmds.push(inv.args[i + 1] as string);
    else if (a.startsWith('+') && a.length > 1) cmds.push(a.slice(1));
  });
  for (const c of cmds) {
    if (!EX_ESCAPE.test(c)) continue;
    j.emit(inv, 'evasion', 'high', `${inv.name} runs an editor command that reaches the shell (${c.slice(0, 40)})`);
    const bang = /!(.*)$/.exec(c);
    if (bang?.[1]) j.shell(bang[1], inv, `${inv.name} :!`);
  }
  if (value(p, '-S') !== undefined) j.emit(inv, 'evasion', 'medium', `${inv.name} sources a script that is not analysed`);
  for (const f of p.positionals.filter((x) => !x.startsWith('+'))) judgeWrite(j, inv, f, 'append');
  j.interactive.add(inv.name);
}

export const interpreters: RuleTable = {
  'python python2 python3 pypy pypy3': interpreter(SPECS.python as InterpSpec),
  perl: interpreter(SPECS.perl as InterpSpec),
  ruby: interpreter(SPECS.ruby as InterpSpec),
  'node nodejs bun': interpreter(SPECS.node as InterpSpec),
  php: interpreter(SPECS.php as InterpSpec),
  'lua luajit Rscript osascript tclsh wish pwsh powershell jshell groovy scala julia guile'(inv, j) {
    interpreter(SPECS.other as InterpSpec)(inv, j);
  },
  'irb ipython bpython jupyter ghci'(inv, j) {
    j.interactive.add(inv.name);
  },
  'deno'(inv, j) {
    if (inv.args[0] === 'eval') judgeCode(j, inv, 'node', inv.args.slice(1).join(' '), 'deno eval');
  },
  'awk gawk mawk nawk busybox-awk': awkRule,
  'sed gsed': sedRule,
  'vi vim nvim view ex gvim vimdiff rvim nano emacs pico joe mcedit micro': editorRule,
  'less more most pg'(inv, j) {
    if (inv.args.some((a) => a.startsWith('+') && a.includes('!'))) j.emit(inv, 'evasion', 'high', `${inv.name} starts with a shell escape`);
    j.interactive.add(inv.name);
  },
  man(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-P', '--pager', '-H', '--html', '-M', '-C', '-L', '-S', '-m', '-p', '-E', '-R'] });
    const pager = value(p, '-P', '--pager', '-H', '--html');
    if (pager !== undefined) {
      j.emit(inv, 'evasion', 'medium', 'man runs a custom pager command');
      j.shell(pager, inv, 'man -P');
    }
    if (!has(p, '-k', '-f', '-w', '--where', '--apropos', '--whatis')) j.interactive.add('man');
  },
};
