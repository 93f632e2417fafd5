/**
 * Keys that `bulwark serve` creates on first start so a newcomer needs nothing prepared: the host
 * key and a development user CA, both ed25519, kept in the state directory (0700; private keys
 * 0600). Existing files are used as they are; an unreadable one is an error, never regenerated,
 * because a silently replaced host key or CA would break every client's trust.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SshError } from './errors.js';

function generate(path: string, comment: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'pipe' });
  } catch (err) {
    throw new SshError('ERR_SSH_KEYGEN', `cannot generate ${path} with ssh-keygen (install openssh-client): ${(err as Error).message}`, { cause: err });
  }
  chmodSync(path, 0o600);
}

export interface KeyFiles {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly created: boolean;
}

export function ensureKeyPair(path: string, comment: string): KeyFiles {
  let created = false;
  if (!existsSync(path)) {
    generate(path, comment);
    created = true;
  }
  const pub = `${path}.pub`;
  if (!existsSync(pub)) {
    try {
      execFileSync('ssh-keygen', ['-y', '-f', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      throw new SshError('ERR_SSH_HOSTKEY', `cannot read key ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { privateKeyPath: path, publicKeyPath: pub, created };
}

export function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SshError('ERR_SSH_HOSTKEY', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function keyFingerprint(publicKeyPath: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], { encoding: 'utf8' });
  return out.split(' ')[1] ?? out.trim();
}
