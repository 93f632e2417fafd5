/**
 * Load, validate and freeze the configuration once at startup. Sources, later winning: defaults,
 * the YAML file, command-line flags. Relative paths resolve against the config file's folder (or
 * the working directory without one), so a service unit and a shell see the same files.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { configSchema, type ConfigInput, type ParsedConfig, type TargetConfig } from './schema.js';

export interface Config extends Omit<ParsedConfig, 'hostKey' | 'policies' | 'defaultTarget' | 'targets'> {
  readonly hostKey: string;
  readonly policies: string;
  readonly defaultTarget: string;
  readonly targets: readonly TargetConfig[];
  /** Where the configuration came from, for logs. */
  readonly source: string;
}

/** The package root: bundled policies live there, whatever the working directory. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function formatIssues(issues: readonly z.core.$ZodIssue[], source: string): string {
  const lines = issues.map((i) => {
    const key = i.path.length > 0 ? i.path.map(String).join('.') : '(top level)';
    return `  ${key}: ${i.message}`;
  });
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('ERR_CONFIG_READ', `cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new ConfigError('ERR_CONFIG_SYNTAX', `config file ${file}${where} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
}

/** TLS files of an HTTP listener, resolved like every other path in the configuration. */
function withTlsPaths<T extends { tlsCert?: string | undefined; tlsKey?: string | undefined }>(l: T, abs: (p: string) => string): T {
  return { ...l, tlsCert: l.tlsCert === undefined ? undefined : abs(l.tlsCert), tlsKey: l.tlsKey === undefined ? undefined : abs(l.tlsKey) };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validate `input` (file contents merged with flags) and return the frozen configuration. */
export function buildConfig(input: unknown, opts: { source: string; baseDir: string }): Config {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError('ERR_CONFIG_INVALID', formatIssues(parsed.error.issues, opts.source));
  const c = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(opts.baseDir, p));
  const state = abs(c.state);
  const firstTarget = c.targets[0] as TargetConfig;
  return deepFreeze({
    ...c,
    state,
    hostKey: abs(c.hostKey ?? resolve(state, 'host_ed25519_key')),
    userCa: c.userCa.map(abs),
    policies: abs(c.policies ?? resolve(PACKAGE_ROOT, 'policies')),
    recordings: abs(c.recordings),
    revocationList: c.revocationList === undefined ? undefined : abs(c.revocationList),
    certificates: { ...c.certificates, caKey: abs(c.certificates.caKey ?? resolve(state, 'user_ca')) },
    issuer: withTlsPaths(c.issuer, abs),
    console: withTlsPaths(c.console, abs),
    targets: c.targets.map((t) => ({ ...t, cwd: t.cwd === undefined ? undefined : abs(t.cwd) })),
    defaultTarget: c.defaultTarget ?? firstTarget.name,
    source: opts.source,
  });
}

/** Defaults < file < flags. `flags` holds only what was given on the command line. */
export function loadConfig(file: string | undefined, flags: Partial<ConfigInput> = {}, cwd = process.cwd()): Config {
  const fromFile = file === undefined ? {} : readConfigFile(file);
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new ConfigError('ERR_CONFIG_INVALID', `config file ${file}: expected a mapping of keys at the top level`);
  }
  const merged = { ...(fromFile as Record<string, unknown>), ...flags };
  const source = file === undefined ? 'defaults and flags' : resolve(cwd, file);
  return buildConfig(merged, { source, baseDir: file === undefined ? cwd : dirname(resolve(cwd, file)) });
}

export function findTarget(config: Config, name: string): TargetConfig | undefined {
  return config.targets.find((t) => t.name === name);
}
