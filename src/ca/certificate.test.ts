import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificateLine, verifyCertificateSignature, type CertOption, type OpenSshCertificate } from './certificate.js';
import { fingerprint, parsePublicKey } from './publickey.js';
import { KeygenWorkspace, lineBlob, type KeygenType } from './testing/sshKeygen.js';
import { WireReader, WireWriter } from './wire.js';
import { codeOf } from './testing/errors.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const ws = new KeygenWorkspace();
afterAll(() => ws.cleanup());

const iso = (s: bigint) => `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}Z`;

/** Our parsed option in the shape `ssh-keygen -L` prints it. */
function render(o: CertOption): string {
  if (o.data === null) return o.name;
  if (o.name === 'force-command' || o.name === 'source-address') return `${o.name} ${Buffer.from(o.data).toString()}`;
  const wrapped = new WireWriter().string(o.data).toBytes();
  return `${o.name} UNKNOWN OPTION: ${Buffer.from(wrapped).toString('hex')} (len ${wrapped.length})`;
}

describe('golden certificates from ssh-keygen -s', () => {
  const names = readdirSync(fixtures).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  it('has the seven fixtures', () => expect(names.length).toBe(7));
  for (const name of names) {
    it(`${name}: every field as ssh-keygen -L reports it`, () => {
      const expected = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
      const cert = parseCertificateLine(readFileSync(join(fixtures, `${name}-cert.pub`), 'utf8'));
      const ca = parsePublicKey(readFileSync(join(fixtures, `${name}-ca.pub`), 'utf8'));
      expect({
        keyType: cert.keyType,
        certType: cert.certType,
        keyFingerprint: fingerprint(cert.publicKey.blob),
        caFingerprint: fingerprint(cert.signatureKey.blob),
        signatureAlgorithm: cert.signatureAlgorithm,
        keyId: cert.keyId,
        serial: cert.serial.toString(),
        validAfter: iso(cert.validAfter),
        validBefore: iso(cert.validBefore),
        principals: cert.principals,
        criticalOptions: cert.criticalOptions.map(render),
        extensions: cert.extensions.map(render),
      }).toEqual(expected);
      expect(Buffer.from(cert.signatureKey.blob).equals(Buffer.from(ca.blob))).toBe(true);
      expect(verifyCertificateSignature(cert)).toBe(true);
    });
  }
});

describe('fresh certificates', () => {
  const combos: Array<[KeygenType, KeygenType, ('rsa-sha2-256' | 'rsa-sha2-512')?]> = [
    ['ed25519', 'rsa', 'rsa-sha2-512'],
    ['rsa', 'ed25519'],
    ['ecdsa-521', 'ecdsa-384'],
    ['ecdsa-256', 'rsa', 'rsa-sha2-256'],
  ];
  for (const [keyType, caType, rsaSignature] of combos) {
    it(`${keyType} key signed by ${caType} CA${rsaSignature ? ` (${rsaSignature})` : ''}`, () => {
      const tag = `${keyType}-${caType}-${rsaSignature ?? ''}`;
      ws.generateKey(`ca-${tag}`, caType);
      ws.generateKey(`u-${tag}`, keyType);
      const line = ws.certify({ ca: `ca-${tag}`, key: `u-${tag}`, identity: 'id with spaces', principals: ['a', 'b,c'], serial: 9n, validity: 'always:forever', ...(rsaSignature ? { rsaSignature } : {}) });
      const cert = parseCertificateLine(line);
      expect(cert.principals).toEqual(['a', 'b', 'c']);
      expect(cert.keyId).toBe('id with spaces');
      expect(cert.validAfter).toBe(0n);
      expect(cert.validBefore).toBe(2n ** 64n - 1n);
      expect(cert.signatureAlgorithm).toBe(rsaSignature ?? (caType === 'ed25519' ? 'ssh-ed25519' : 'ecdsa-sha2-nistp384'));
      expect(verifyCertificateSignature(cert)).toBe(true);
    });
  }
});

describe('verification failures', () => {
  const base = readFileSync(join(fixtures, 'ed25519-user-cert.pub'), 'utf8');
  const blob = lineBlob(base);

  it('a changed signed byte no longer verifies', () => {
    const cert = parseCertificate(blob);
    const idOffset = Buffer.from(blob).indexOf('alice@example.com');
    const tampered = Uint8Array.from(blob);
    tampered[idOffset] = 'b'.charCodeAt(0);
    const t = parseCertificate(tampered);
    expect(t.keyId).toBe('blice@example.com');
    expect(verifyCertificateSignature(cert)).toBe(true);
    expect(verifyCertificateSignature(t)).toBe(false);
  });

  it('a CA signature made with ssh-rsa (SHA-1) by the real ssh-keygen is refused', () => {
    ws.generateKey('sha1-ca', 'rsa');
    ws.generateKey('sha1-user', 'ed25519');
    const cert = parseCertificateLine(ws.certify({ ca: 'sha1-ca', key: 'sha1-user', identity: 'x', principals: ['x'], rsaSignature: 'ssh-rsa' }));
    expect(cert.signatureAlgorithm).toBe('ssh-rsa');
    expect(verifyCertificateSignature(cert)).toBe(false);
    const sha2 = parseCertificateLine(ws.certify({ ca: 'sha1-ca', key: 'sha1-user', identity: 'x', principals: ['x'], rsaSignature: 'rsa-sha2-256' }));
    expect(verifyCertificateSignature(sha2)).toBe(true);
  });

  it('a CA signature with a mismatched algorithm name does not verify', () => {
    const cert = parseCertificateLine(readFileSync(join(fixtures, 'rsa-sha512-user-cert.pub'), 'utf8'));
    const sig = new WireReader(cert.signature);
    sig.readText();
    const relabelled = new WireWriter().string('rsa-sha2-256').string(sig.readString()).toBytes();
    expect(verifyCertificateSignature({ ...cert, signature: relabelled } as OpenSshCertificate)).toBe(false);
  });
});

/** Rebuilds a fixture certificate with some fields replaced (signature kept: parse-only tests). */
function rebuild(cert: OpenSshCertificate, edit: { type?: number; keyType?: string; options?: Uint8Array; extensions?: Uint8Array; trailing?: boolean; principals?: Uint8Array }): Uint8Array {
  if (cert.publicKey.type !== 'ssh-ed25519') throw new Error('fixture must be ed25519');
  const w = new WireWriter()
    .string(edit.keyType ?? cert.keyType)
    .string(cert.nonce)
    .string(cert.publicKey.publicKey)
    .uint64(cert.serial)
    .uint32(edit.type ?? 1)
    .string(cert.keyId)
    .string(edit.principals ?? new WireWriter().string('alice').toBytes())
    .uint64(cert.validAfter)
    .uint64(cert.validBefore)
    .string(edit.options ?? new Uint8Array(0))
    .string(edit.extensions ?? new Uint8Array(0))
    .string(cert.reserved)
    .string(cert.signatureKey.blob)
    .string(cert.signature);
  if (edit.trailing) w.byte(0);
  return w.toBytes();
}

describe('malformed certificates', () => {
  const cert = parseCertificate(lineBlob(readFileSync(join(fixtures, 'ed25519-user-cert.pub'), 'utf8')));
  const opts = (...pairs: Array<[string, Uint8Array]>) => {
    const w = new WireWriter();
    for (const [n, d] of pairs) w.string(n).string(d);
    return w.toBytes();
  };
  const wrapped = (s: string) => new WireWriter().string(s).toBytes();

  it('the rebuild helper itself yields a parseable certificate', () => {
    expect(parseCertificate(rebuild(cert, {})).keyId).toBe('alice@example.com');
  });
  it('refuses trailing bytes', () => expect(codeOf(() => parseCertificate(rebuild(cert, { trailing: true })))).toBe('ERR_SSH_WIRE_TRAILING_BYTES'));
  it('refuses certificate type 3', () => expect(codeOf(() => parseCertificate(rebuild(cert, { type: 3 })))).toBe('ERR_CERT_MALFORMED'));
  it('refuses unknown certificate key types', () => {
    expect(codeOf(() => parseCertificate(rebuild(cert, { keyType: 'ssh-dss-cert-v01@openssh.com' })))).toBe('ERR_CERT_UNSUPPORTED');
    expect(codeOf(() => parseCertificate(rebuild(cert, { keyType: 'sk-ssh-ed25519-cert-v01@openssh.com' })))).toBe('ERR_CERT_UNSUPPORTED');
  });
  it('refuses unsorted and duplicate option names', () => {
    const unsorted = opts(['source-address', wrapped('10.0.0.0/8')], ['force-command', wrapped('x')]);
    expect(codeOf(() => parseCertificate(rebuild(cert, { options: unsorted })))).toBe('ERR_CERT_OPTIONS_ORDER');
    const dup = opts(['permit-pty', new Uint8Array(0)], ['permit-pty', new Uint8Array(0)]);
    expect(codeOf(() => parseCertificate(rebuild(cert, { extensions: dup })))).toBe('ERR_CERT_OPTIONS_ORDER');
  });
  it('refuses option data that is not exactly one string', () => {
    const raw = opts(['force-command', new TextEncoder().encode('/bin/sh')]);
    expect(codeOf(() => parseCertificate(rebuild(cert, { options: raw })))).toMatch(/^ERR_SSH_WIRE_/);
    const extra = opts(['force-command', new WireWriter().string('a').byte(1).toBytes()]);
    expect(codeOf(() => parseCertificate(rebuild(cert, { options: extra })))).toBe('ERR_SSH_WIRE_TRAILING_BYTES');
  });
  it('refuses a truncated principal list and principals with NUL', () => {
    expect(codeOf(() => parseCertificate(rebuild(cert, { principals: Uint8Array.of(0, 0, 0, 9, 97) })))).toBe('ERR_SSH_WIRE_TRUNCATED');
    expect(codeOf(() => parseCertificate(rebuild(cert, { principals: new WireWriter().string('a\0b').toBytes() })))).toBe('ERR_SSH_WIRE_BAD_TEXT');
  });
  it('refuses a certificate as signature key', () => {
    const c2 = { ...cert, signatureKey: { ...cert.signatureKey, blob: cert.blob } } as OpenSshCertificate;
    expect(codeOf(() => parseCertificate(rebuild(c2, {})))).toBe('ERR_SSH_KEY_UNSUPPORTED');
  });
});
