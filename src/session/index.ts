/**
 * session: one SSH session channel — a shell or an exec — run for a verified identity on a
 * configured target, recorded, with its I/O, flow control, signals and exit status carried
 * faithfully.
 *
 * Trust boundary: everything that reaches here is authenticated; the bytes the client sends are
 * still hostile. Known limits (this stage): commands are not yet judged; the guarded line editor
 * and judge sit in front of runProcess once they land.
 */
export type { SessionChannel, PtyRequest } from './channel.js';
export { resolveTarget, acceptEnv, sessionEnv, type SessionTarget } from './context.js';
export { startSession, type SessionRequest, type SessionHandle, type SessionServices } from './session.js';
export { RecordingHealth, openSessionRecording, recordedChannel, type RecordingPolicy } from './recording.js';
export { SessionError, type SessionErrorCode } from './errors.js';
