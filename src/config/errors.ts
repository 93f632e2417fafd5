import { BulwarkError } from '../core/errors.js';

export type ConfigErrorCode = 'ERR_CONFIG_READ' | 'ERR_CONFIG_SYNTAX' | 'ERR_CONFIG_INVALID';

/** A configuration problem found at startup; the message names the file and the bad key. */
export class ConfigError extends BulwarkError<ConfigErrorCode> {}
