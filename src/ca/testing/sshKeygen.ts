/**
 * Test-only harness around the real `ssh-keygen` binary (not exported from ca/index.ts): makes
 * CA and user keys, signs certificates and builds KRLs in a temporary directory, so tests check
 * our parsers against OpenSSH itself rather than against our own encoder.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePublicKey, formatPublicKeyLine } from '../encode.js';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runSshKeygen(args: readonly string[], cwd?: string): RunResult {
  const r = spawnSync('ssh-keygen', args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustRun(args: readonly string[], cwd?: string): RunResult {
  const r = runSshKeygen(args, cwd);
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

export type KeygenType = 'ed25519' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' | 'rsa';

export interface CertSpec {
  /** Name of a CA key made by `generateKey` in this workspace. */
  readonly ca: string;
  /** Name of the key to certify (its `<name>.pub` must exist). */
  readonly key: string;
  readonly identity: string;
  readonly principals?: readonly string[];
  readonly serial?: bigint | number;
  /** ssh-keygen -V syntax, e.g. "-5m:+1h" or "20240101:20250101". */
  readonly validity?: string;
  /** ssh-keygen -O options, e.g. "source-address=10.0.0.0/8", "extension:kind@bulwark=human". */
  readonly options?: readonly string[];
  readonly host?: boolean;
  /** RSA CA signature algorithm (ssh-keygen -t); ssh-rsa (SHA-1) exists to test its refusal. */
  readonly rsaSignature?: 'rsa-sha2-256' | 'rsa-sha2-512' | 'ssh-rsa';
}

export class KeygenWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'bulwark-ca-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A fresh key pair made by ssh-keygen; returns the public key line. */
  generateKey(name: string, type: KeygenType): string {
    const [t, bits] = type.startsWith('ecdsa') ? ['ecdsa', type.slice(6)] : type === 'rsa' ? ['rsa', '2048'] : ['ed25519', ''];
    mustRun(['-q', '-t', t, ...(bits ? ['-b', bits] : []), '-N', '', '-C', name, '-f', this.path(name)]);
    return readFileSync(this.path(`${name}.pub`), 'utf8').trim();
  }

  /** A key pair made by node (so tests can sign with it), written as `<name>.pub` for ssh-keygen. */
  nodeKey(name: string, type: KeygenType): { privateKey: KeyObject; publicKey: KeyObject; line: string } {
    const pair =
      type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: `P-${type.slice(6)}` });
    const line = formatPublicKeyLine(encodePublicKey(pair.publicKey), name);
    writeFileSync(this.path(`${name}.pub`), `${line}\n`);
    return { ...pair, line };
  }

  /** Certifies `<key>.pub` with `ssh-keygen -s`; returns the certificate line. */
  certify(spec: CertSpec, outName = `${spec.key}-cert.pub`): string {
    const args = ['-q', '-s', this.path(spec.ca), '-I', spec.identity];
    if (spec.principals !== undefined) args.push('-n', spec.principals.join(','));
    if (spec.serial !== undefined) args.push('-z', String(spec.serial));
    if (spec.validity !== undefined) args.push('-V', spec.validity);
    if (spec.host) args.push('-h');
    if (spec.rsaSignature !== undefined) args.push('-t', spec.rsaSignature);
    for (const o of spec.options ?? []) args.push('-O', o);
    mustRun([...args, this.path(`${spec.key}.pub`)]);
    const produced = readFileSync(this.path(`${spec.key}-cert.pub`), 'utf8').trim();
    if (outName !== `${spec.key}-cert.pub`) writeFileSync(this.path(outName), `${produced}\n`);
    return produced;
  }

  /** `ssh-keygen -k` from a KRL spec text; `ca` names a CA key whose .pub is passed with -s. */
  makeKrl(name: string, spec: string, ca?: string): Uint8Array {
    writeFileSync(this.path(`${name}.spec`), spec);
    mustRun(['-q', '-k', '-f', this.path(name), ...(ca ? ['-s', this.path(`${ca}.pub`)] : []), this.path(`${name}.spec`)]);
    return new Uint8Array(readFileSync(this.path(name)));
  }

  /** What `ssh-keygen -Q` says about a certificate file: true when it reports it revoked. */
  sshKeygenSaysRevoked(krl: string, certFile: string): boolean {
    const r = runSshKeygen(['-Q', '-f', this.path(krl), this.path(certFile)]);
    if (r.status === 0) return false;
    if (r.status === 1 && /REVOKED/.test(r.stdout)) return true;
    throw new Error(`ssh-keygen -Q failed (${r.status}): ${r.stderr}`);
  }

  write(name: string, content: string | Uint8Array): string {
    writeFileSync(this.path(name), content);
    return this.path(name);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The blob inside a one-line key or certificate. */
export function lineBlob(line: string): Uint8Array {
  return new Uint8Array(Buffer.from(line.trim().split(/\s+/)[1] ?? '', 'base64'));
}
