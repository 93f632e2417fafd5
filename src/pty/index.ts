/**
 * pty: the only importer of node-pty. Starts a session's shell (or exec command) as the target's
 * OS account, in a PTY or with pipes, resizes it, and sweeps the whole process session at the end.
 *
 * Trust boundary: runs programs with the target account's rights; everything reaching here has
 * already been authorised. Never runs a session as root unless the target says allowRoot.
 * Known limits: processes that call setsid() escape the end-of-session sweep (no cgroups).
 */
export { spawnPty, spawnPiped, signalName, type PtyProcess, type PtySize, type SpawnOptions, type ExitInfo } from './spawn.js';
export { lookupAccount, runningAsRoot, switchUserPrefix, type Account } from './account.js';
export { endSession, sessionMembers, signalSession } from './process-tree.js';
export { PtyError, type PtyErrorCode } from './errors.js';
