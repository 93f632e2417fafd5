/** Filesystem destruction and writes: rm, find -delete/-exec, shred, dd, mkfs, wipefs, truncate,
 * partitioning, cp/mv/tee/install targets, git working-tree resets. Deletes below a named
 * directory in /tmp are scratch work; everything else that removes or overwrites data is flagged. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { has, parseArgs, value } from '../invocation.js';
import { UNKNOWN, type Word } from '../types.js';
import { literalWord } from '../words.js';
import { auditPath, broadPath, devicePath, normalisePath, scratchPath } from './paths.js';
import { judgeWrite } from './redirects.js';
import { runWords } from './index.js';
import type { RuleTable } from './table.js';

/** Deleting a path: audit trail, scratch space, or data. */
export function judgeDelete(j: Judge, inv: Invocation, target: string, recursive: boolean, verb = 'deletes'): void {
  const p = normalisePath(target);
  if (auditPath(p) !== undefined) {
    j.emit(inv, 'audit.tamper', 'high', `${verb} ${target}, a log or history file`, { paths: [target] });
    return;
  }
  if (scratchPath(p)) return;
  if (devicePath(p)) {
    j.emit(inv, 'destroy.filesystem', 'critical', `${verb} the device ${target}`, { paths: [target] });
    return;
  }
  const broad = broadPath(p);
  const unknown = p.includes(UNKNOWN);
  const sev = broad ? 'critical' : recursive ? 'high' : 'medium';
  // An unknown part reads as where it starts: "deletes files found under /srv/x (names known only at run time)".
  const known = unknown ? p.slice(0, p.indexOf(UNKNOWN)).replace(/\/+$/, '') : target;
  const what = !unknown ? target : known === '' ? 'paths known only at run time' : `${known} (names known only at run time)`;
  j.emit(inv, 'destroy.filesystem', sev, `${verb} ${what}${recursive ? ', recursively' : ''}`, { paths: [target] });
}

function versionOnly(inv: Invocation): boolean {
  return inv.args.some((a) => a === '--help' || a === '--version') ;
}

function operands(inv: Invocation, valued: readonly string[] = []): string[] {
  return parseArgs(inv.args, { valued }).positionals;
}

/** find: -delete, -exec/-execdir/-ok/-okdir (their command is judged with `{}` standing for each
 * found path under the start points), and -fprint writes. */
function findRule(inv: Invocation, j: Judge): void {
  const args = inv.args;
  const firstExpr = args.findIndex((a) => /^[-!(]/.test(a) && a !== '-');
  const roots = (firstExpr < 0 ? args : args.slice(0, firstExpr)).filter((a) => !/^-[HLPO]/.test(a));
  const base = roots.length === 1 ? (roots[0] as string) : roots.length === 0 ? '.' : UNKNOWN;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-delete') {
      judgeDelete(j, inv, `${base.replace(/\/$/, '')}/${UNKNOWN}`, true, 'deletes files found under');
    } else if (/^-(exec|execdir|ok|okdir)$/.test(a)) {
      let end = i + 1;
      while (end < args.length && args[end] !== ';' && args[end] !== '+') end++;
      const words: Word[] = inv.argv.slice(i + 2, end + 1).map((w) =>
        w.value.includes('{}') ? { ...w, value: w.value.split('{}').join(`${base.replace(/\/$/, '')}/${UNKNOWN}`), dynamic: [...w.dynamic, 'find result'] } : w,
      );
      const n = words[0]?.value.split('/').pop() ?? '';
      if (/^(?:ba|z|da|k)?sh$|^(?:python[\d.]*|perl|ruby|node)$/.test(n)) j.emit(inv, 'evasion', 'high', `find ${a} runs ${n} on every result`);
      runWords(j, inv, words, `find ${a}`);
      i = end;
    } else if (/^-f(print0?|printf|ls)$/.test(a) && args[i + 1] !== undefined) {
      judgeWrite(j, inv, args[i + 1] as string, 'truncate');
    }
  }
}

function ddRule(inv: Invocation, j: Judge): void {
  const of = inv.args.find((a) => a.startsWith('of='));
  if (of === undefined) return;
  const t = of.slice(3);
  const iff = inv.args.find((a) => a.startsWith('if='))?.slice(3);
  judgeWrite(j, inv, t, inv.args.some((a) => /conv=.*notrunc|oflag=.*append/.test(a)) ? 'append' : 'truncate', iff === '/dev/zero' || iff === '/dev/urandom');
  if (!devicePath(t) && (iff === '/dev/zero' || iff === '/dev/urandom') && !inv.args.some((a) => a.startsWith('count='))) {
    j.emit(inv, 'system.disrupt', 'high', 'dd without count= writes until the disk is full');
  }
}

export const filesystem: RuleTable = {
  'rm srm'(inv, j) {
    if (versionOnly(inv)) return;
    const p = parseArgs(inv.args);
    const recursive = has(p, '-r', '-R', '--recursive');
    if (p.positionals.length === 0) return;
    for (const t of p.positionals) judgeDelete(j, inv, t, recursive);
  },
  'unlink rmdir'(inv, j) {
    if (versionOnly(inv)) return;
    for (const t of operands(inv)) judgeDelete(j, inv, t, false);
  },
  shred(inv, j) {
    if (versionOnly(inv)) return;
    for (const t of operands(inv, ['-n', '--iterations', '-s', '--size', '--random-source'])) judgeDelete(j, inv, t, false, 'shreds');
  },
  truncate(inv, j) {
    if (versionOnly(inv)) return;
    for (const t of operands(inv, ['-s', '--size', '-r', '--reference'])) judgeWrite(j, inv, t, 'truncate', true);
  },
  'wipefs mkswap blkdiscard sgdisk sfdisk fdisk gdisk parted mke2fs mkfs mkdosfs mkntfs'(inv, j) {
    if (versionOnly(inv)) return;
    const ro = inv.name === 'wipefs' ? !inv.args.some((a) => /^-[a-zA-Z]*a|^--all|^-o|^--offset/.test(a)) : inv.args.some((a) => /^-(l|-list|p|-print)$/.test(a));
    if (ro) return;
    const devs = operands(inv, ['-t', '-L', '-b', '-o', '-O', '-n', '-c', '-i', '-I', '-N', '-U', '-E', '-q']);
    j.emit(inv, 'destroy.filesystem', 'critical', `${inv.name} rewrites ${devs.join(' ') || 'a disk'} (data on it is lost)`, { paths: devs });
  },
  'lvremove vgremove pvremove mdadm zpool'(inv, j) {
    if (inv.args.some((a) => /^(destroy|--zero-superblock|--stop|-S)$/.test(a)) || /remove$/.test(inv.name)) {
      j.emit(inv, 'destroy.filesystem', 'critical', `${inv.name} ${inv.args.join(' ')} destroys storage`);
    }
  },
  'zfs btrfs'(inv, j) {
    if (inv.args.some((a) => a === 'destroy' || a === 'delete' || a === 'rollback')) j.emit(inv, 'destroy.filesystem', 'critical', `${inv.name} ${inv.args.slice(0, 3).join(' ')} destroys data`);
  },
  dd: ddRule,
  find: findRule,
  tee(inv, j) {
    const append = inv.args.some((a) => /^-[a-z]*a|^--append/.test(a));
    for (const f of operands(inv)) judgeWrite(j, inv, f, append ? 'append' : 'truncate');
  },
  'cp mv install ln'(inv, j) {
    const p = parseArgs(inv.args, { valued: ['-t', '--target-directory', '-S', '--suffix', '-m', '--mode', '-o', '--owner', '-g', '--group'] });
    const dir = value(p, '-t', '--target-directory');
    const target = dir ?? p.positionals[p.positionals.length - 1];
    if (target === undefined || (dir === undefined && p.positionals.length < 2)) return;
    const sources = dir === undefined ? p.positionals.slice(0, -1) : p.positionals;
    const empties = sources.length === 1 && sources[0] === '/dev/null';
    judgeWrite(j, inv, target, 'replace', empties);
    // Writing into a sensitive directory: judge the resulting path too.
    for (const s of sources) judgeWrite(j, inv, `${target.replace(/\/$/, '')}/${s.split('/').pop() ?? ''}`, 'append');
    if (inv.name === 'mv') for (const s of sources) if (auditPath(s) !== undefined || broadPath(s)) judgeDelete(j, inv, s, true, 'moves away');
  },
  'chmod chown chgrp'(inv, j) {
    const ops = operands(inv, ['--reference', '--from']);
    const recursive = inv.args.some((a) => /^-[a-zA-Z]*R|^--recursive/.test(a));
    const mode = ops[0] ?? '';
    if (inv.name === 'chmod' && (/(^|,)[ugoa]*[+=][rwxXt]*s/.test(mode) || /^[0-7]?[2-7][0-7]{3}$/.test(mode))) {
      j.emit(inv, 'privilege.escalation', 'critical', `chmod ${mode} sets the setuid/setgid bit on ${ops.slice(1).join(' ')}`, { paths: ops.slice(1) });
    }
    if (recursive && ops.slice(1).some((t) => broadPath(t))) {
      j.emit(inv, 'system.disrupt', 'high', `${inv.name} -R on ${ops.slice(1).join(' ')} changes ownership or modes system-wide`);
    }
    for (const t of ops.slice(1)) if (/^\/etc\/(sudoers|shadow|passwd)/.test(normalisePath(t))) judgeWrite(j, inv, t, 'append');
  },
};

export { literalWord };
