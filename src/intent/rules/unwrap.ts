/** Programs that run another program from their arguments. Each is seen through: the inner
 * program is judged with the wrapper on its evidence path (sudo → bash -c → rm). Privilege
 * wrappers that end in an interactive shell are privilege escalation. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { has, parseArgs, value } from '../invocation.js';
import { UNKNOWN, type Word } from '../types.js';
import { runInner, runWords } from './index.js';
import { judgeAssignment } from './session.js';
import { judgeWrite } from './redirects.js';
import type { RuleTable } from './table.js';

/** Index (in argv) of the first operand after options, or -1. */
function commandIndex(inv: Invocation, valued: readonly string[], skip = 0): number {
  const p = parseArgs(inv.args, { valued }, true);
  const idx = p.positionalIdx[0];
  if (idx === undefined) return -1;
  let at = idx;
  for (let k = 0; k < skip; k++) {
    at++;
    if (at >= inv.args.length) return -1;
  }
  return at + 1;
}

function inner(j: Judge, inv: Invocation, argvIdx: number, label?: string): boolean {
  if (argvIdx < 1 || argvIdx >= inv.argv.length) return false;
  runInner(j, inv, argvIdx - 1, label ?? inv.name);
  return true;
}

const SHELLS = /^(?:ba|z|da|k|a|mk|c|tc|fi|yash|busybox )?sh$|^fish$/;

function rootShell(j: Judge, inv: Invocation, who: string): void {
  j.emit(inv, 'privilege.escalation', 'critical', `opens an interactive shell as ${who}`);
  j.interactive.add(inv.name);
}

const sudoValued = ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-R', '--user', '--group', '--prompt', '--chdir', '--host', '--other-user', '--close-from', '--role', '--type', '--command-timeout'];

export const wrappers: RuleTable = {
  'sudo run0'(inv, j) {
    const p = parseArgs(inv.args, { valued: sudoValued }, true);
    const user = value(p, '-u', '--user') ?? 'root';
    if (has(p, '-e', '--edit')) {
      for (const f of p.positionals) judgeWrite(j, inv, f, 'append');
      return;
    }
    const idx = commandIndex(inv, sudoValued);
    if (idx < 0) {
      if (has(p, '-i', '-s', '--login', '--shell')) rootShell(j, inv, user);
      return;
    }
    inner(j, inv, idx, user === 'root' ? inv.name : `${inv.name} -u ${user}`);
  },
  sudoedit(inv, j) {
    for (const f of inv.args.filter((a) => !a.startsWith('-'))) judgeWrite(j, inv, f, 'append');
  },
  doas(inv, j) {
    const idx = commandIndex(inv, ['-u', '-C']);
    if (idx < 0) rootShell(j, inv, 'root');
    else inner(j, inv, idx);
  },
  pkexec(inv, j) {
    const idx = commandIndex(inv, ['--user']);
    if (idx < 0) rootShell(j, inv, 'root');
    else inner(j, inv, idx);
  },
  'su runuser'(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-c', '--command', '-s', '--shell', '-g', '-G', '-w', '-u'] });
    const cmd = value(p, '-c', '--command');
    const user = p.positionals.find((x) => x !== '-') ?? 'root';
    if (cmd !== undefined) j.shell(cmd, inv, `${inv.name} -c`);
    else rootShell(j, inv, user);
  },
  env(inv, j) {
    const env = new Map(inv.env);
    const p = parseArgs(inv.args, { valued: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'] }, true);
    const split = value(p, '-S', '--split-string');
    if (split !== undefined) j.shell(split, inv, 'env -S');
    let idx = p.positionalIdx[0];
    while (idx !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(inv.args[idx] ?? '')) {
      const a = inv.args[idx] as string;
      const eq = a.indexOf('=');
      const w = inv.argv[idx + 1] as Word;
      env.set(a.slice(0, eq), a.slice(eq + 1));
      judgeAssignment(j, { name: a.slice(0, eq), append: false, value: { ...w, value: a.slice(eq + 1) }, start: w.start, end: w.end }, inv, true);
      idx++;
    }
    if (idx === undefined || idx >= inv.args.length) {
      if (split === undefined) j.emit(inv, 'secrets.read', 'medium', 'env prints the environment, which may hold tokens');
      return;
    }
    runInner(j, inv, idx, 'env', { env });
  },
  nice(inv, j) {
    inner(j, inv, commandIndex(inv, ['-n', '--adjustment']));
  },
  ionice(inv, j) {
    const idx = commandIndex(inv, ['-c', '-n', '--class', '--classdata']);
    if (inv.args.slice(0, idx < 0 ? undefined : idx - 1).some((a) => /^-[a-z]*[pPu]/.test(a))) return;
    inner(j, inv, idx);
  },
  timeout(inv, j) {
    inner(j, inv, commandIndex(inv, ['-s', '--signal', '-k', '--kill-after'], 1));
  },
  'nohup time setsid unbuffer catchsegv dbus-run-session proxychains proxychains4 torsocks tsocks xvfb-run firejail caffeinate'(inv, j) {
    inner(j, inv, commandIndex(inv, ['-p', '-f', '-a', '-w', '-s', '-e', '-n', '--profile']));
  },
  stdbuf(inv, j) {
    inner(j, inv, commandIndex(inv, ['-i', '-o', '-e', '--input', '--output', '--error']));
  },
  'taskset chrt faketime'(inv, j) {
    if (/^-[a-z]*p/.test(inv.args[0] ?? '')) return;
    inner(j, inv, commandIndex(inv, ['-f'], 1));
  },
  'numactl cgexec'(inv, j) {
    inner(j, inv, commandIndex(inv, ['-g', '-C', '-N', '-m', '-p', '-i']));
  },
  'strace ltrace valgrind'(inv, j) {
    inner(j, inv, commandIndex(inv, ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-O', '-S', '-X', '-P', '-n']));
  },
  sshpass(inv, j) {
    inner(j, inv, commandIndex(inv, ['-p', '-f', '-d', '-P']));
  },
  chroot(inv, j) {
    const idx = commandIndex(inv, ['--userspec', '--groups'], 1);
    if (idx < 0) rootShell(j, inv, 'root in a chroot');
    else inner(j, inv, idx);
  },
  command(inv, j) {
    if (inv.args.some((a) => a === '-v' || a === '-V')) return;
    inner(j, inv, commandIndex(inv, []));
  },
  builtin(inv, j) {
    inner(j, inv, 1);
  },
  busybox(inv, j) {
    inner(j, inv, commandIndex(inv, []));
  },
  exec(inv, j) {
    const idx = commandIndex(inv, ['-a']);
    if (idx < 0) return;
    j.emit(inv, 'evasion', 'high', "exec replaces the bastion's shell driver with another program");
    inner(j, inv, idx);
  },
  nsenter(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-t', '--target', '-S', '-G', '--setuid', '--setgid', '-r', '-w'] }, true);
    const t = value(p, '-t', '--target');
    if (t === '1' || has(p, '-a', '--all') || t?.includes(UNKNOWN)) {
      j.emit(inv, 'privilege.escalation', 'critical', "enters the host's namespaces (PID 1)");
    }
    if (!inner(j, inv, commandIndex(inv, ['-t', '--target', '-S', '-G', '--setuid', '--setgid', '-r', '-w']))) j.interactive.add(inv.name);
  },
  unshare(inv, j) {
    if (inv.args.some((a) => /^-[a-zA-Z]*r|^--map-root-user/.test(a))) j.emit(inv, 'privilege.escalation', 'medium', 'unshare maps the caller to root in a new namespace');
    inner(j, inv, commandIndex(inv, ['--propagation', '--setgroups', '-S', '-G', '--wd', '-R', '--root']));
  },
  'systemd-run'(inv, j) {
    if (inv.args.some((a) => a.startsWith('--on-'))) j.emit(inv, 'persistence', 'high', 'systemd-run schedules a timer that runs later');
    inner(j, inv, commandIndex(inv, ['-u', '--unit', '-p', '--property', '--description', '--slice', '--uid', '--gid', '--nice', '-E', '--setenv', '-M', '--machine', '-H', '--host', '--service-type', '--working-directory', '--timer-property']));
  },
  'doppler op aws-vault infisical chamber teller dotenv with-contenv'(inv, j) {
    const dd = inv.args.indexOf('--');
    if (dd >= 0) runInner(j, inv, dd + 1, inv.name);
  },
  xargs(inv, j) {
    const valued = ['-I', '-n', '-P', '-d', '-a', '-L', '-s', '-E', '--max-args', '--max-procs', '--delimiter', '--arg-file', '--max-lines', '--replace', '--max-chars', '--eof'];
    const p = parseArgs(inv.args, { valued }, true);
    const repl = value(p, '-I', '--replace') ?? (inv.args.some((a) => a === '-i') ? '{}' : undefined);
    const idx = p.positionalIdx[0];
    if (idx === undefined) return;
    if (repl !== undefined) {
      const words = inv.argv.slice(idx + 1).map((w) => (w.value.includes(repl) ? { ...w, value: w.value.split(repl).join(UNKNOWN), dynamic: [...w.dynamic, 'xargs input'] } : w));
      flagShellRunner(j, inv, words[0]);
      runWords(j, inv, words, 'xargs', { stdin: { kind: 'unknown' } });
    } else {
      flagShellRunner(j, inv, inv.argv[idx + 1]);
      runInner(j, inv, idx, 'xargs', { appendUnknown: 'xargs input', stdin: { kind: 'unknown' } });
    }
  },
  parallel(inv, j) {
    const sep = inv.args.findIndex((a) => a === ':::' || a === '::::' || a === ':::+');
    const idx = commandIndex(inv, ['-j', '--jobs', '-S', '--sshlogin', '--delay', '--timeout', '--joblog', '-a']);
    if (idx < 0 || (sep >= 0 && idx > sep)) {
      j.emit(inv, 'evasion', 'high', 'parallel runs command lines taken from its input');
      return;
    }
    const end = sep < 0 ? inv.argv.length : sep + 1;
    const words = inv.argv.slice(idx, end).map((w) => (w.value.includes('{}') ? { ...w, value: w.value.split('{}').join(UNKNOWN) } : w));
    if (!words.some((w) => w.value.includes(UNKNOWN))) words.push({ ...(words[0] as Word), raw: '{}', value: UNKNOWN, dynamic: ['parallel input'] });
    flagShellRunner(j, inv, words[0]);
    runWords(j, inv, words, 'parallel', { stdin: { kind: 'unknown' } });
  },
  watch(inv, j) {
    const valued = ['-n', '--interval', '-q', '--equexit'];
    const p = parseArgs(inv.args, { valued }, true);
    const idx = p.positionalIdx[0];
    if (idx === undefined) return;
    if (has(p, '-x', '--exec')) runInner(j, inv, idx, 'watch -x');
    else j.shell(inv.args.slice(idx).join(' '), inv, 'watch');
  },
  flock(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'] });
    const cmd = value(p, '-c', '--command');
    if (cmd !== undefined) j.shell(cmd, inv, 'flock -c');
    else {
      const idx = p.positionalIdx[1];
      if (idx !== undefined) runInner(j, inv, idx, 'flock');
    }
  },
  script(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-c', '--command', '-t', '--timing', '-I', '-O', '-B', '-T', '-E', '-m'] });
    const cmd = value(p, '-c', '--command');
    if (cmd !== undefined) j.shell(cmd, inv, 'script -c');
    else j.interactive.add('script');
  },
};

function flagShellRunner(j: Judge, inv: Invocation, w: Word | undefined): void {
  const n = w?.value.split('/').pop() ?? '';
  if (SHELLS.test(n) || /^(?:python[\d.]*|perl|ruby|node|php|eval)$/.test(n)) {
    j.emit(inv, 'evasion', 'high', `${inv.name} runs ${n} on every input item`);
  }
}

export { SHELLS };
