/**
 * recording: session recordings as evidence. Writes asciicast v2 files (playable unchanged by
 * `asciinema play`/`cat` and asciinema-player) with a marker at each judged command, structured
 * bulwark records in "b" events that players skip, a SHA-256 hash chain over every record, and
 * ed25519-signed checkpoints at every flush (≤ 1 s) and at close (the seal). Also verifies,
 * lists, reads timelines and applies retention.
 *
 * The per-byte work of writing (escaping, hashing, signing, writes) runs in one worker thread per
 * process, so that recording costs the SSH server's thread little more than a copy (host.ts).
 *
 * Trust boundary: the writer trusts its caller (the session layer) for what happened; the
 * verifier trusts nothing in the file, only the public key it is given. Sidecar `<id>.json`
 * summaries are an index for speed, never evidence.
 *
 * Known limits: output is stored as UTF-8 text (asciicast has no bytes), so invalid UTF-8 becomes
 * U+FFFD; records after the last checkpoint of a crashed recording are not authenticated (at most
 * one flush interval); cutting a file exactly at a checkpoint boundary reads as a crash
 * ('unsealed') unless the sidecar still says it was sealed; whoever holds the private key can
 * forge recordings; if the worker thread dies, every open recording fails (onFailure) and the next
 * one starts a new worker. See docs/recordings.md.
 */
export { RecordingWriter, type RecordingWriterOptions } from './writer.js';
export { prepareRecordingWorker } from './host.js';
export {
  type RecordingMeta,
  type CommandInput,
  type ExitInfo,
  type CastHeader,
  type BulwarkHeader,
  type CastEvent,
  BULWARK_EVENT,
  MARKER_MAX,
  newRecordingId,
  isRecordingId,
  markerLabel,
} from './format.js';
export { loadOrCreateRecordingKey, loadPublicKey, keyFingerprint, PUBLIC_KEY_FILE, PRIVATE_KEY_FILE, type RecordingKey } from './key.js';
export { verifyRecording, type VerifyResult, type VerifyStatus } from './verify.js';
export { readTimeline, scanCast, type CommandEntry, type CastScan } from './timeline.js';
export {
  listRecordings,
  applyRetention,
  resolveRecording,
  recordingIds,
  type RecordingSummary,
  type RecordingFilter,
  type RetentionOptions,
  type RetentionLogEntry,
} from './catalog.js';
export { readLines, CastTail, type RawLine } from './reader.js';
export { CastPlayer, type PlayerOptions } from './player.js';
export * from './errors.js';
