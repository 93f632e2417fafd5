/**
 * Resolving the OS account a session runs as, and the command prefix that switches to it. When
 * bulwark runs as root the shell is started through `setpriv --init-groups`, because node-pty's
 * own uid/gid options do not reset supplementary groups: the shell would keep root's groups.
 */
import { execFileSync } from 'node:child_process';
import { PtyError } from './errors.js';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Looks the account up in the system's user database (NSS, so LDAP/SSSD users work too). */
export function lookupAccount(name: string): Account {
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(name)) throw new PtyError('ERR_PTY_ACCOUNT', `"${name}" is not a valid account name`);
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new PtyError('ERR_PTY_ACCOUNT', `no OS account "${name}" on this host; create it or set the target's user`);
  }
  const f = line.split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new PtyError('ERR_PTY_ACCOUNT', `unreadable passwd entry for "${name}"`);
  return { name, uid, gid, home: f[5] ?? '/' };
}

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** argv prefix that drops to `account` before exec'ing the program; empty when already that user. */
export function switchUserPrefix(account: Account | undefined): string[] {
  if (account === undefined || !runningAsRoot()) return [];
  return ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--'];
}
