import { BulwarkError } from '../core/errors.js';

export type PtyErrorCode = 'ERR_PTY_ACCOUNT' | 'ERR_PTY_SPAWN';

export class PtyError extends BulwarkError<PtyErrorCode> {}
