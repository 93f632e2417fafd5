/**
 * Throwaway keys and certificates for tests, made at test time with the real ssh-keygen. Nothing
 * here is ever committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh directory under the system temp dir, removed when this process exits. */
export function tempDir(prefix = 'bulwark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0) process.once('exit', removeTempDirs);
  made.push(dir);
  return dir;
}

function removeTempDirs(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A mount point or a file still held by a child: left for the system's temp cleaner.
    }
  }
}

export type KeyType = 'ed25519' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' | 'rsa';

export function makeKey(dir: string, name: string, type: KeyType = 'ed25519'): string {
  const path = join(dir, name);
  const args = type.startsWith('ecdsa') ? ['-t', 'ecdsa', '-b', type.slice(6)] : type === 'rsa' ? ['-t', 'rsa', '-b', '2048'] : ['-t', 'ed25519'];
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', name, '-f', path]);
  return path;
}

export interface CertOptions {
  keyId?: string;
  principals?: string[];
  /** ssh-keygen -V syntax, e.g. "+1h", "-2h:-1h", "20300101:20300102". */
  validity?: string;
  serial?: number;
  host?: boolean;
  /** -O options, e.g. ["extension:kind@bulwark=agent", "source-address=10.0.0.0/8", "no-pty"]. */
  options?: string[];
  /** Use an RSA CA's signature algorithm, e.g. rsa-sha2-256. */
  sigAlg?: string;
}

/** Signs `keyPath.pub` with the CA and returns the certificate path. */
export function signCert(caPath: string, keyPath: string, o: CertOptions = {}): string {
  const args = ['-q', '-s', caPath, '-I', o.keyId ?? 'tester@example.com'];
  if (o.host) args.push('-h');
  const principals = o.principals ?? ['deploy'];
  if (principals.length > 0) args.push('-n', principals.join(','));
  args.push('-V', o.validity ?? '+1h');
  if (o.serial !== undefined) args.push('-z', String(o.serial));
  if (o.sigAlg) args.push('-t', o.sigAlg);
  for (const opt of o.options ?? []) args.push('-O', opt);
  args.push(`${keyPath}.pub`);
  execFileSync('ssh-keygen', args);
  return `${keyPath}-cert.pub`;
}
