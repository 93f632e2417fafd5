import { BulwarkError } from '../core/errors.js';

export type SshErrorCode = 'ERR_SSH_HOSTKEY' | 'ERR_SSH_KEYGEN' | 'ERR_SSH_LISTEN';

export class SshError extends BulwarkError<SshErrorCode> {}
