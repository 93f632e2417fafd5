/**
 * session: one SSH session channel — a shell or an exec — run for a verified identity on a
 * configured target, recorded, with its I/O, flow control, signals and exit status carried
 * faithfully.
 *
 * Trust boundary: everything that reaches here is authenticated; the bytes the client sends are
 * still hostile. Every command line is judged before it runs: a PTY shell through bulwark's line
 * editor and the shell driver (guarded/), an exec and a no-PTY script unit by unit. Known limits:
 * see docs/guarded-sessions.md (background-job output at the prompt is dropped; an allowed
 * interactive program leaves the session unguarded until it exits; the judge is not a sandbox).
 */
export type { SessionChannel, PtyRequest } from './channel.js';
export { resolveTarget, acceptEnv, sessionEnv, type SessionTarget } from './context.js';
export { startSession, type SessionRequest, type SessionHandle, type SessionServices } from './session.js';
export { RecordingHealth, openSessionRecording, recordedChannel, type RecordingPolicy } from './recording.js';
export { SessionError, type SessionErrorCode } from './errors.js';
export { approverCheck } from './review.js';
