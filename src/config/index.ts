/**
 * config: the configuration of `bulwark serve`, validated once at startup with a zod schema and
 * then frozen. Errors name the file and the bad key.
 *
 * Trust boundary: the config file and flags are the operator's; they are trusted once valid, but
 * validated strictly (unknown keys refused) so a typo cannot silently disable a protection.
 * Known limits: no hot reload of the config itself (policies and revocation lists reload).
 */
export { configSchema, targetSchema, type ConfigInput, type TargetConfig } from './schema.js';
export { loadConfig, buildConfig, findTarget, readConfigFile, PACKAGE_ROOT, type Config } from './load.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
