/**
 * oidc/login-files: files `bulwark login` writes besides the key and certificate: the bastion's known_hosts line
 * and an ssh_config Host block (DIR/ssh_config), and, with --write-config, one Include line in
 * ~/.ssh/config so plain `ssh bulwark` works.
 *
 * Trust boundary: the host key comes from the issuing endpoint (HTTPS, or loopback in dev).
 * Known limits: the Include is added at the top of ~/.ssh/config (ssh reads the first match);
 * an existing Host block named "bulwark" further down is left alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What GET /v1/login on the issuing endpoint answers: where to log in and which bastion to trust. */
export interface LoginInfo {
  readonly issuer: string;
  readonly clientId?: string;
  /** Only for providers whose installed-app "secret" is public by design (Google desktop clients). */
  readonly clientSecret?: string;
  readonly ssh?: { readonly host: string; readonly port: number; readonly alias: string; readonly hostKey: string };
}

const quote = (p: string): string => (/[\s"]/.test(p) ? `"${p.replace(/"/g, '')}"` : p);

export function sshConfigBlock(dir: string, key: string, info: LoginInfo, user: string): { block: string; configFile: string; alias: string } | undefined {
  if (info.ssh === undefined) return undefined;
  const { host, port, alias, hostKey } = info.ssh;
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${port === 22 ? host : `[${host}]:${port}`} ${hostKey}\n`, { mode: 0o644 });
  const block = [
    `Host ${alias}`,
    `  HostName ${host}`,
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${quote(key)}`,
    `  CertificateFile ${quote(`${key}-cert.pub`)}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${quote(knownHosts)}`,
    '  StrictHostKeyChecking yes',
  ].join('\n');
  const configFile = join(dir, 'ssh_config');
  writeFileSync(configFile, `# written by bulwark login\n${block}\n`, { mode: 0o644 });
  return { block, configFile, alias };
}

/** Adds `Include FILE` at the top of ~/.ssh/config once (idempotent). */
export function includeInUserConfig(home: string, file: string): void {
  const sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const config = join(sshDir, 'config');
  const current = existsSync(config) ? readFileSync(config, 'utf8') : '';
  const line = `Include ${quote(file)}`;
  if (current.split('\n').some((l) => l.trim() === line)) return;
  writeFileSync(config, `${line}\n${current}`, { mode: 0o600 });
}
