/**
 * The facts a session runs under: who, on which target, as which OS account, with which
 * environment. Built once per session request from the verified identity and the configuration.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../core/index.js';
import type { TargetConfig } from '../config/index.js';
import { lookupAccount, runningAsRoot, type Account } from '../pty/index.js';
import { SessionError } from './errors.js';

export interface SessionTarget {
  readonly config: TargetConfig;
  /** Account the shell runs as; undefined when bulwark is not root (it runs as bulwark's user). */
  readonly account: Account | undefined;
  readonly cwd: string;
}

/**
 * Which OS account a target runs as. Root is refused unless the target says allowRoot, so a
 * missing `user:` line can never hand out a root shell. The default local target runs as
 * `nobody` when bulwark is root, in a workspace under the state directory.
 */
export function resolveTarget(target: TargetConfig, login: string): SessionTarget {
  if (!runningAsRoot()) {
    return { config: target, account: undefined, cwd: target.cwd ?? process.env['HOME'] ?? '/' };
  }
  const name = target.user ?? (target.name === 'local' ? 'nobody' : login);
  const account = lookupAccount(name);
  if (account.uid === 0 && !target.allowRoot) {
    throw new SessionError('ERR_SESSION_ROOT', `target "${target.name}" would run as root; set allowRoot: true on it to permit that`);
  }
  const cwd = target.cwd ?? (existsSync(account.home) ? account.home : workspace(account));
  return { config: target, account, cwd };
}

/**
 * A home for accounts that have none (nobody's is /nonexistent): <tmp>/bulwark-workspace/<name>,
 * the parent root-owned 0711, the folder owned by the account. A folder someone planted there
 * beforehand is refused rather than used.
 */
function workspace(account: { name: string; uid: number; gid: number }): string {
  const root = join(tmpdir(), 'bulwark-workspace');
  mkdirSync(root, { recursive: true, mode: 0o711 });
  const rs = lstatSync(root);
  if (!rs.isDirectory() || rs.uid !== 0) throw new SessionError('ERR_SESSION_TARGET', `${root} is not a root-owned directory; remove it`);
  chmodSync(root, 0o711);
  const dir = join(root, account.name);
  if (!existsSync(dir)) {
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, account.uid, account.gid);
  }
  const ds = lstatSync(dir);
  if (!ds.isDirectory() || ds.uid !== account.uid) throw new SessionError('ERR_SESSION_TARGET', `${dir} is not owned by ${account.name}; remove it`);
  return dir;
}

/** Matches the client's env requests against the allowlist (`LC_*` style prefixes allowed). */
export function acceptEnv(allow: readonly string[], name: string, value: string): boolean {
  if (value.length > 4096 || value.includes('\0')) return false;
  return allow.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : name === a));
}

export function sessionEnv(opts: {
  identity: Identity;
  target: SessionTarget;
  clientEnv: Readonly<Record<string, string>>;
  term?: string;
}): Record<string, string> {
  const { identity, target } = opts;
  const user = target.account?.name ?? process.env['USER'] ?? 'bulwark';
  const home = target.account?.home ?? process.env['HOME'] ?? '/';
  return {
    ...opts.clientEnv,
    HOME: existsSync(home) ? home : target.cwd,
    USER: user,
    LOGNAME: user,
    SHELL: target.config.shell,
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
    TERM: opts.term ?? opts.clientEnv['TERM'] ?? 'dumb',
    // Pagers are allowed programs (man, git log, journalctl) but can run shell commands from
    // their own prompt (`!cmd`, `|cmd`, `v`), which the judge never sees: secure mode turns that off.
    LESSSECURE: '1',
    SYSTEMD_PAGERSECURE: '1',
    BULWARK_SUBJECT: identity.subject,
    BULWARK_KIND: identity.kind,
    BULWARK_TARGET: target.config.name,
  };
}
