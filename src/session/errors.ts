import { BulwarkError } from '../core/errors.js';

export type SessionErrorCode = 'ERR_SESSION_ROOT' | 'ERR_SESSION_TARGET' | 'ERR_SESSION_SPAWN';

export class SessionError extends BulwarkError<SessionErrorCode> {}
