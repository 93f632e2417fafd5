/** File writes and reads, whoever makes them: shell redirections, tee, cp/mv/dd/install targets.
 * One place decides what writing to a path means (device wipe, log tampering, persistence hook,
 * sudoers change, network socket, control channel, plain overwrite). */
import type { Judge } from '../judge.js';
import type { Redirect, Span } from '../types.js';
import { UNKNOWN } from '../types.js';
import {
  auditPath, controlChannelPath, devicePath, harmlessDevice, networkDevicePath, normalisePath, persistencePath,
  privilegePath, scratchPath, secretPath,
} from './paths.js';

export interface At {
  span: Span;
  path: readonly string[];
}

export type WriteMode = 'truncate' | 'append' | 'replace';

export function judgeWrite(j: Judge, at: At, target: string, mode: WriteMode, emptying = false): void {
  const p = normalisePath(target);
  const paths = { paths: [target] };
  const host = networkDevicePath(p);
  if (host !== undefined) {
    j.emit(at, 'exfiltration', 'critical', `sends data to ${host} through /dev/tcp or /dev/udp`, { hosts: [host], ...paths });
    return;
  }
  if (controlChannelPath(p)) {
    j.emit(at, 'evasion', 'critical', `writes to ${target}, which may reach the bastion's control channel`, paths);
    return;
  }
  if (harmlessDevice(p)) return;
  if (/^\/proc\/sysrq-trigger$/.test(p)) {
    j.emit(at, 'system.disrupt', 'critical', 'writes to /proc/sysrq-trigger (can crash or reboot the host)', paths);
    return;
  }
  if (/^\/(?:proc\/sys|sys)\//.test(p)) {
    j.emit(at, 'system.disrupt', 'medium', `changes kernel settings through ${target}`, paths);
    return;
  }
  if (devicePath(p)) {
    j.emit(at, 'destroy.filesystem', 'critical', `writes directly to the block device ${target}`, paths);
    return;
  }
  if (privilegePath(p)) {
    j.emit(at, 'privilege.escalation', 'critical', `modifies ${target} (accounts or sudo rights)`, paths);
    return;
  }
  if (persistencePath(p)) {
    j.emit(at, 'persistence', 'high', `modifies ${target}, which runs or authorises things later`, paths);
    return;
  }
  const audit = auditPath(p);
  if (audit !== undefined) {
    j.emit(at, 'audit.tamper', 'high', `${mode === 'append' ? 'writes into' : 'overwrites'} ${target}, a log or history file`, paths);
    return;
  }
  if (scratchPath(p) || mode === 'append') return;
  if (p.includes(UNKNOWN)) {
    j.emit(at, 'destroy.filesystem', 'medium', 'overwrites a file whose name is only known at run time', paths);
    return;
  }
  if (emptying) {
    j.emit(at, 'destroy.filesystem', 'high', `empties ${target}`, paths);
    return;
  }
  if (p.startsWith('/') || p.startsWith('~')) {
    j.emit(at, 'destroy.filesystem', 'medium', `overwrites ${target}`, paths);
  }
}

/** A file read by a program that shows or sends its content. */
export function judgeRead(j: Judge, at: At, target: string, reader: string): void {
  const p = normalisePath(target);
  const host = networkDevicePath(p);
  if (host !== undefined) {
    j.emit(at, 'exfiltration', 'critical', `connects to ${host} through /dev/tcp or /dev/udp`, { hosts: [host] });
    return;
  }
  if (controlChannelPath(p)) {
    j.emit(at, 'evasion', 'critical', `reads ${target}, which may reach the bastion's control channel`, { paths: [target] });
    return;
  }
  const s = secretPath(p);
  if (s === 'yes') j.emit(at, 'secrets.read', 'high', `${reader} reads ${target}, which holds secrets`, { paths: [target] });
  else if (s === 'maybe') j.emit(at, 'evasion', 'high', `${reader} reads ${target}, a pattern that can match a secret file`, { paths: [target] });
}

const EMPTYING = new Set([':', 'true', 'false']);

/** Redirections of one command; `argv` (values) tells truncation idioms (`: > f`, `cat /dev/null > f`). */
export function judgeRedirects(j: Judge, redirects: readonly Redirect[], at: At, argv: readonly string[] | undefined): void {
  const name = argv?.[0];
  const emptying =
    argv === undefined || argv.length === 0 || EMPTYING.has(name ?? '') ||
    (name === 'cat' && argv.length === 2 && argv[1] === '/dev/null') ||
    (name === 'echo' && argv.slice(1).every((a) => a === '-n' || a === '' || a === '-e')) ||
    (name === 'printf' && argv.slice(1).every((a) => a === ''));
  for (const r of redirects) {
    const t = r.target?.value;
    const fd = r.fd ?? 1;
    if (fd >= 3 && name === 'exec') {
      j.emit(at, 'evasion', 'critical', `exec redirects descriptor ${fd}, which may be the bastion's control channel`);
    }
    if (r.op === '>&-' || r.op === '<&-') {
      if (fd >= 3) j.emit(at, 'evasion', 'high', `closes descriptor ${fd}, which may be the bastion's control channel`);
      continue;
    }
    if ((r.op === '>&' || r.op === '<&') && t !== undefined && /^\d+-?$|\uFFFF/.test(t)) {
      const n = Number.parseInt(t, 10);
      if (t.includes(UNKNOWN) || n >= 3) {
        j.emit(at, 'evasion', 'critical', `uses descriptor ${t.includes(UNKNOWN) ? '(computed)' : n}, which may reach the bastion's control channel`);
      }
      continue;
    }
    if (t === undefined) continue;
    if (['>', '>|', '&>', '>&'].includes(r.op)) judgeWrite(j, at, t, 'truncate', emptying);
    else if (r.op === '>>' || r.op === '&>>') judgeWrite(j, at, t, 'append');
    else if (r.op === '<') judgeRead(j, at, t, name ?? 'a redirection');
  }
}
