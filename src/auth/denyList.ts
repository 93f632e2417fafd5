import { fingerprint, type OpenSshCertificate } from '../ca/index.js';
import { AuthError } from './errors.js';

/**
 * bulwark's text deny list: one entry per line, `serial:<decimal>`, `key-id:<key id>` or
 * `fingerprint:SHA256:...` (the certificate key or the CA key), `#` comments. Unlike a KRL it is
 * not scoped to a CA: an entry revokes matching certificates from every trusted CA. Unlike
 * OpenSSH KRLs, `serial:0` is honoured (the operator wrote it).
 */
export class DenyList {
  private constructor(
    private readonly serials: ReadonlySet<bigint>,
    private readonly keyIds: ReadonlySet<string>,
    private readonly fingerprints: ReadonlySet<string>,
  ) {}

  static parse(text: string, fileName: string): DenyList {
    const serials = new Set<bigint>();
    const keyIds = new Set<string>();
    const fingerprints = new Set<string>();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const kind = colon < 0 ? line : line.slice(0, colon).trim();
      const value = colon < 0 ? '' : line.slice(colon + 1).trim();
      const bad = (why: string) => new AuthError('ERR_AUTH_DENY_LIST_LINE', `${fileName}:${i + 1}: ${why}`);
      if (value === '') throw bad(`expected "serial:N", "key-id:ID" or "fingerprint:SHA256:..."`);
      switch (kind) {
        case 'serial':
          if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 2n ** 64n) throw bad(`serial "${value}" is not a uint64 decimal`);
          serials.add(BigInt(value));
          break;
        case 'key-id':
          keyIds.add(value);
          break;
        case 'fingerprint':
          if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(value)) throw bad(`"${value}" is not a SHA256:... fingerprint`);
          fingerprints.add(value);
          break;
        default:
          throw bad(`unknown entry type "${kind}"`);
      }
    });
    return new DenyList(serials, keyIds, fingerprints);
  }

  revocationReason(cert: OpenSshCertificate): string | null {
    if (this.serials.has(cert.serial)) return `serial ${cert.serial} is on the deny list`;
    if (this.keyIds.has(cert.keyId)) return `key id "${cert.keyId}" is on the deny list`;
    if (this.fingerprints.has(fingerprint(cert.publicKey.blob))) return 'the certificate key is on the deny list';
    if (this.fingerprints.has(fingerprint(cert.signatureKey.blob))) return 'the signing CA key is on the deny list';
    return null;
  }
}
