/** Session-level tampering: anything that changes how the shell itself reads, runs or records
 * commands (aliases, functions shadowing commands, traps, shell options, readline bindings,
 * special variables) and history wiping. The bastion judges a line before the shell sees it; a
 * shell whose behaviour has been redefined would run something other than what was judged. */
import type { Judge } from '../judge.js';
import type { Assignment, FunctionNode } from '../types.js';
import { UNKNOWN } from '../types.js';
import type { At } from './redirects.js';
import type { RuleTable } from './table.js';

/** Builtins, keywords and common commands: a function or alias with one of these names hides
 * what a later line that looks ordinary will run. */
const SHADOWABLE = new Set(
  (
    ': . [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable ' +
    'eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd ' +
    'read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias ' +
    'unset wait if then else elif fi case esac for while until do done function select time coproc ' +
    'ls cat rm cp mv ln mkdir rmdir chmod chown grep egrep fgrep sed awk find xargs sort head tail less more man vi vim ' +
    'nano env sudo su doas ssh scp rsync curl wget git kubectl docker helm terraform aws gcloud az psql mysql sqlite3 ' +
    'redis-cli python python3 perl ruby node bash sh zsh dash systemctl service journalctl ps top id whoami which ' +
    'tee touch stat file du df tar gzip zip unzip openssl nc ping dig nslookup make npm yarn go cargo pip pip3 ' +
    'command_not_found_handle'
  ).split(' '),
);

const CODE_VARS = new Set(['PROMPT_COMMAND', 'BASH_ENV', 'ENV', 'PS0', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'BASH_XTRACEFD',
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'IFS', 'GLOBIGNORE', 'BASH_LOADABLES_PATH', 'INPUTRC', 'HISTTIMEFORMAT']);
const RUNNER_VARS = new Set(['GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_PAGER', 'GIT_EDITOR', 'GIT_EXTERNAL_DIFF', 'PAGER', 'EDITOR',
  'VISUAL', 'MANPAGER', 'LESSOPEN', 'LESSCLOSE', 'SYSTEMD_PAGER', 'PSQL_PAGER', 'SUDO_ASKPASS', 'SSH_ASKPASS', 'RSYNC_RSH']);
const SYSTEM_PATH_DIR = /^\/(?:usr\/(?:local\/)?)?s?bin$|^\/usr\/local\/[^/]+\/bin$|^\/opt\/[^/]+\/bin$|^\/snap\/bin$|^\/usr\/games$/;

export function judgeAssignment(j: Judge, a: Assignment, at: At, scoped: boolean): void {
  const v = a.value?.value ?? '';
  const name = a.name;
  if (name === 'HISTFILE' || ((name === 'HISTSIZE' || name === 'HISTFILESIZE') && /^0*$/.test(v))) {
    j.emit(at, 'audit.tamper', 'high', `sets ${name}=${v.replace(UNKNOWN, '…') || '(empty)'}: shell history is no longer kept as before`);
    return;
  }
  if (name === 'HISTCONTROL' || name === 'HISTIGNORE') {
    j.emit(at, 'audit.tamper', 'medium', `sets ${name}: some commands are left out of the history`);
    return;
  }
  if (CODE_VARS.has(name) || name.startsWith('BASH_FUNC_')) {
    j.emit(at, 'evasion', 'high', `sets ${name}, which changes how the shell reads or runs commands`);
    return;
  }
  if (RUNNER_VARS.has(name)) {
    j.emit(at, 'evasion', 'medium', `sets ${name}, a command that other programs will run`);
    if (v.length > 0 && !v.includes(UNKNOWN)) j.shell(v, at, `${name}=`);
    return;
  }
  if (name === 'PATH') {
    const before = v.split(':');
    for (const d of before) {
      if (d.includes(UNKNOWN)) break;
      if (!SYSTEM_PATH_DIR.test(d)) {
        j.emit(at, 'evasion', 'medium', `PATH now searches ${d || '(current directory)'} before the system directories`);
        return;
      }
    }
  }
  void scoped;
}

export function judgeFunctionDefinition(j: Judge, fn: FunctionNode, at: At): void {
  if (SHADOWABLE.has(fn.name) || fn.name.includes('/')) {
    j.emit(at, 'evasion', 'high', `defines a function named ${fn.name}, shadowing the command of that name`);
  }
}

export const session: RuleTable = {
  alias(inv, j) {
    for (const a of inv.args) {
      const eq = a.indexOf('=');
      if (eq <= 0) continue;
      const name = a.slice(0, eq);
      j.scope.aliases.set(name, a.slice(eq + 1));
      j.defs.aliases[name] = a.slice(eq + 1);
      j.emit(inv, 'evasion', SHADOWABLE.has(name) ? 'high' : 'medium', `defines alias ${name}: the name hides what it runs`);
    }
  },
  trap(inv, j) {
    const args = inv.args.filter((a) => a !== '--');
    if (args.length < 2 || args[0] === '-l' || args[0] === '-p') return;
    const sigs = args.slice(1).map((s) => s.toUpperCase().replace(/^SIG/, ''));
    if (sigs.some((s) => s === 'DEBUG' || s === 'RETURN' || s === 'ERR' || s.includes(UNKNOWN))) {
      j.emit(inv, 'evasion', 'high', `trap on ${sigs.join(',')} runs code around every command`);
    }
    const action = args[0] as string;
    if (action !== '' && action !== '-') j.shell(action, inv, 'trap');
  },
  enable(inv, j) {
    if (inv.args.length > 0 && !inv.args.every((a) => a === '-a' || a === '-p')) {
      j.emit(inv, 'evasion', 'high', 'enable changes which builtins the shell runs');
    }
  },
  shopt(inv, j) {
    if (inv.args.some((a) => /^-[^pqo]*[su]/.test(a))) j.emit(inv, 'evasion', 'medium', `shopt ${inv.args.join(' ')} changes how the shell reads commands`);
  },
  set(inv, j) {
    if (inv.args.length === 0) {
      j.emit(inv, 'secrets.read', 'medium', 'set prints every shell variable, tokens included');
      return;
    }
    const a = inv.args;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as string;
      if (x === '--' || x === '-') break;
      const opt = x === '-o' || x === '+o' ? (a[++i] ?? '') : '';
      if (x === '+o' && opt === 'history') j.emit(inv, 'audit.tamper', 'high', 'set +o history stops recording history');
      if ((x === '-o' && ['functrace', 'histexpand', 'monitor'].includes(opt)) || /^-[a-zA-Z]*[THm]/.test(x)) {
        j.emit(inv, 'evasion', 'high', `set ${x}${opt ? ` ${opt}` : ''} changes how the shell runs later commands`);
      }
    }
  },
  bind(inv, j) {
    j.emit(inv, 'evasion', 'high', 'bind changes key bindings of the shell that runs judged commands');
  },
  history(inv, j) {
    if (inv.args.some((x) => /^-[a-z]*[cdwranps]/.test(x))) {
      j.emit(inv, 'audit.tamper', 'high', `history ${inv.args.join(' ')} clears or rewrites shell history`);
    }
  },
  unset(inv, j) {
    const names = inv.args.filter((x) => !x.startsWith('-'));
    if (inv.args.includes('-f')) return;
    for (const n of names) {
      if (/^HIST(FILE|SIZE|FILESIZE)$/.test(n)) j.emit(inv, 'audit.tamper', 'high', `unset ${n}: shell history is no longer kept`);
    }
  },
  'export declare typeset readonly local'(inv, j) {
    const opts = inv.args.filter((x) => x.startsWith('-'));
    const names = inv.args.filter((x) => !x.startsWith('-'));
    if (names.length === 0 && !opts.some((o) => /f/.test(o))) {
      j.emit(inv, 'secrets.read', 'medium', `${inv.name} ${opts.join(' ')} prints variables, tokens included`.replace(/\s+/g, ' '));
    }
  },
  hash(inv, j) {
    if (inv.args.some((x) => /^-[a-z]*p/.test(x))) j.emit(inv, 'evasion', 'high', 'hash -p maps a command name to another program');
  },
  fc(inv, j) {
    if (!inv.args.some((x) => x === '-l')) j.emit(inv, 'evasion', 'high', 'fc re-runs commands from history that are not judged now');
  },
};
