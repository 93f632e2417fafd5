import { readFile } from 'node:fs/promises';
import { describeError } from '../core/errors.js';
import { fingerprint, parsePublicKey, type SshPublicKey } from '../ca/index.js';
import { AuthError } from './errors.js';

/** A CA whose user certificates we accept, matched by exact key blob. */
export interface TrustedCa {
  readonly key: SshPublicKey;
  readonly fingerprint: string;
  readonly comment: string;
  /** Where it was configured, `file:line`, for logs. */
  readonly origin: string;
}

/** One CA from an OpenSSH public key line (`ssh-ed25519 AAAA... comment`). */
export function trustedCaFromLine(line: string, origin = 'inline'): TrustedCa {
  const key = parsePublicKey(line);
  return { key, fingerprint: fingerprint(key.blob), comment: key.comment ?? '', origin };
}

/**
 * Parses a TrustedUserCAKeys-style text: one plain public key per line, blank lines and `#`
 * comments ignored. Any bad line fails the whole file, naming file and line: a half-loaded trust
 * set would silently lock people out or, worse, hide a typo in a key an operator meant to pin.
 */
export function parseTrustedCas(text: string, fileName: string): TrustedCa[] {
  const out: TrustedCa[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      out.push(trustedCaFromLine(line, `${fileName}:${i + 1}`));
    } catch (e) {
      throw new AuthError('ERR_AUTH_TRUSTED_CA_LINE', `${fileName}:${i + 1}: not a usable CA public key: ${describeError(e)}`, { cause: e });
    }
  });
  return out;
}

/** Loads CA keys from each file (one or more per file); a file with no key is an error. */
export async function loadTrustedCas(files: readonly string[]): Promise<TrustedCa[]> {
  const out: TrustedCa[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new AuthError('ERR_AUTH_TRUSTED_CA_FILE', `${file}: cannot read trusted CA file: ${describeError(e)}`, { cause: e });
    }
    const cas = parseTrustedCas(text, file);
    if (cas.length === 0) throw new AuthError('ERR_AUTH_TRUSTED_CA_FILE', `${file}: contains no CA public key`);
    out.push(...cas);
  }
  return out;
}
