/**
 * Ending a session without leaving orphans. Every session's shell is a session leader (setsid), so
 * its descendants share its session id unless they call setsid() themselves; we find them by
 * scanning /proc. Known limit: a process that starts its own session (setsid, daemons) escapes this
 * sweep; only a cgroup per session would catch it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose session id is `sid` (Linux /proc; empty elsewhere). */
export function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp session.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Zombies are already dead: waiting on them is their (possibly absent) reaper's job.
    if (Number(rest[3]) === sid && rest[0] !== 'Z') out.push(Number(e));
  }
  return out;
}

/** Signal every member of session `sid`; returns how many were signalled. */
export function signalSession(sid: number, signal: NodeJS.Signals): number {
  let n = 0;
  for (const pid of sessionMembers(sid)) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}

/** SIGHUP the session, then SIGKILL whatever is left after `graceMs`. */
export async function endSession(sid: number, graceMs = 1500): Promise<void> {
  if (signalSession(sid, 'SIGHUP') === 0) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (sessionMembers(sid).length === 0) return;
  }
  signalSession(sid, 'SIGKILL');
}
