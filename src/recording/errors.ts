import { BulwarkError } from '../core/errors.js';

/** Stable codes of the recording module; documented in docs/errors/recording.md. */
export const RECORDING_ERROR_CODES = [
  'ERR_RECORDING_OPEN',
  'ERR_RECORDING_WRITE',
  'ERR_RECORDING_SYNC',
  'ERR_RECORDING_UNLINKED',
  'ERR_RECORDING_KEY',
  'ERR_RECORDING_KEY_PERMS',
  'ERR_RECORDING_NOT_FOUND',
  'ERR_RECORDING_FORMAT',
  'ERR_RECORDING_RETENTION',
] as const;
export type RecordingErrorCode = (typeof RECORDING_ERROR_CODES)[number];

export class RecordingError<C extends RecordingErrorCode = RecordingErrorCode> extends BulwarkError<C> {}

/** The recording file could not be created (directory missing and not creatable, not a directory, no space). */
export class RecordingOpenError extends RecordingError<'ERR_RECORDING_OPEN'> {
  constructor(file: string, cause: unknown) {
    super('ERR_RECORDING_OPEN', `cannot create recording ${file}: ${errno(cause)}`, { cause });
  }
}

/** A write to an open recording failed (ENOSPC, EIO, EROFS, ...); the recording stops. */
export class RecordingWriteError extends RecordingError<'ERR_RECORDING_WRITE'> {
  constructor(file: string, cause: unknown) {
    super('ERR_RECORDING_WRITE', `cannot write recording ${file}: ${errno(cause)}`, { cause });
  }
}

/** fdatasync failed: the data may not be on disk, so the recording is no longer trustworthy. */
export class RecordingSyncError extends RecordingError<'ERR_RECORDING_SYNC'> {
  constructor(file: string, cause: unknown) {
    super('ERR_RECORDING_SYNC', `cannot flush recording ${file} to disk: ${errno(cause)}`, { cause });
  }
}

/** The file was removed (or its directory was) while open; writes would go to an invisible inode. */
export class RecordingUnlinkedError extends RecordingError<'ERR_RECORDING_UNLINKED'> {
  constructor(file: string) {
    super('ERR_RECORDING_UNLINKED', `recording ${file} was removed from disk while being written`);
  }
}

export class RecordingKeyError extends RecordingError<'ERR_RECORDING_KEY'> {
  constructor(file: string, why: string, cause?: unknown) {
    super('ERR_RECORDING_KEY', `recording key ${file}: ${why}`, cause === undefined ? undefined : { cause });
  }
}

export class RecordingKeyPermsError extends RecordingError<'ERR_RECORDING_KEY_PERMS'> {
  constructor(file: string, mode: number) {
    super(
      'ERR_RECORDING_KEY_PERMS',
      `recording key ${file} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
}

export class RecordingNotFoundError extends RecordingError<'ERR_RECORDING_NOT_FOUND'> {
  constructor(idOrFile: string) {
    super('ERR_RECORDING_NOT_FOUND', `no recording ${idOrFile}`);
  }
}

/** The file is not an asciicast v2 recording at all (no parseable header). */
export class RecordingFormatError extends RecordingError<'ERR_RECORDING_FORMAT'> {
  constructor(file: string, why: string) {
    super('ERR_RECORDING_FORMAT', `${file} is not a bulwark recording: ${why}`);
  }
}

/** A retention setting that would make removal ambiguous (zero, negative or not a number). */
export class RecordingRetentionError extends RecordingError<'ERR_RECORDING_RETENTION'> {
  constructor(why: string) {
    super('ERR_RECORDING_RETENTION', `retention not applied: ${why}`);
  }
}

function errno(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code} (${cause.message})`;
  }
  return String(cause);
}
