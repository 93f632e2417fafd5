/**
 * Issuance checked against OpenSSH itself: a CA key made by ssh-keygen is read, certificates we
 * sign are listed by `ssh-keygen -L` and accepted by auth/, user keys we write are read by
 * `ssh-keygen -y`, and serials never repeat.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizeCertificate, NO_REVOCATION_LIST, trustedCaFromLine } from '../auth/index.js';
import { encodePublicKey, formatPublicKeyLine, issueCertificate, IssueError, parseCertificate, readOpenSshPrivateKey, SerialLog, verifyCertificateSignature, writeOpenSshPrivateKey } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-issue-'));
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test CA', '-f', join(dir, 'ca')]);
const ca = readOpenSshPrivateKey(readFileSync(join(dir, 'ca'), 'utf8'));
const caPubLine = readFileSync(join(dir, 'ca.pub'), 'utf8').trim();
const now = Math.floor(Date.now() / 1000);

function userKey(type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): string {
  const name = join(dir, `user-${type}-${Math.random().toString(36).slice(2)}`);
  const args = type === 'rsa' ? ['-t', 'rsa', '-b', '2048'] : type === 'ecdsa' ? ['-t', 'ecdsa', '-b', '256'] : ['-t', 'ed25519'];
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-f', name]);
  return name;
}

const base = { caKey: ca.privateKey, keyId: 'engineer@example.com', principals: ['deploy', 'web'], serial: 4242n, validAfter: now - 60, validBefore: now + 3600, kind: 'user' as const };

describe('readOpenSshPrivateKey', () => {
  it('reads the ed25519 key ssh-keygen wrote, matching its .pub', () => {
    expect(formatPublicKeyLine(ca.publicBlob)).toBe(caPubLine.split(' ').slice(0, 2).join(' '));
    expect(ca.comment).toBe('test CA');
  });

  it('refuses encrypted, non-ed25519 and corrupted files with a code', () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(dir, 'enc')]);
    expect(() => readOpenSshPrivateKey(readFileSync(join(dir, 'enc'), 'utf8'))).toThrow(expect.objectContaining({ code: 'ERR_CA_KEY_ENCRYPTED' }));
    const rsa = userKey('rsa');
    expect(() => readOpenSshPrivateKey(readFileSync(rsa, 'utf8'))).toThrow(expect.objectContaining({ code: 'ERR_CA_KEY_UNSUPPORTED' }));
    expect(() => readOpenSshPrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')).toThrow(IssueError);
    expect(() => readOpenSshPrivateKey('not a key')).toThrow(expect.objectContaining({ code: 'ERR_CA_KEY_FILE' }));
  });

  it('writes keys that ssh-keygen reads and that read back identically', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const text = writeOpenSshPrivateKey(privateKey, 'me@host');
    const file = join(dir, 'written');
    writeFileSync(file, text, { mode: 0o600 });
    const pub = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    expect(pub.split(' ').slice(0, 2).join(' ')).toBe(formatPublicKeyLine(encodePublicKey(publicKey)));
    expect(readOpenSshPrivateKey(text).comment).toBe('me@host');
  });
});

describe('issueCertificate', () => {
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
    it(`certifies a ${type} key so that ssh-keygen -L lists exactly what was asked`, () => {
      const key = userKey(type);
      const { line, blob } = issueCertificate({
        ...base,
        publicKey: readFileSync(`${key}.pub`, 'utf8'),
        criticalOptions: { 'source-address': '10.0.0.0/8,127.0.0.1' },
        extensions: { 'permit-pty': null, 'kind@bulwark': 'human', 'groups@bulwark': 'engineers,oncall' },
      });
      writeFileSync(`${key}-cert.pub`, `${line}\n`);
      const listing = execFileSync('ssh-keygen', ['-L', '-f', `${key}-cert.pub`], { encoding: 'utf8' });
      expect(listing).toContain('Type: ');
      expect(listing).toContain('user certificate');
      expect(listing).toContain('Key ID: "engineer@example.com"');
      expect(listing).toContain('Serial: 4242');
      expect(listing).toMatch(/Principals: \n\s+deploy\n\s+web\n/);
      expect(listing).toMatch(/source-address 10\.0\.0\.0\/8,127\.0\.0\.1/);
      expect(listing).toMatch(/permit-pty/);
      // ssh-keygen 9.x prints extensions it does not know as the hex of their wrapped value.
      const hexOf = (v: string) => Buffer.concat([Buffer.from([0, 0, 0, v.length]), Buffer.from(v)]).toString('hex');
      expect(listing).toContain(`kind@bulwark UNKNOWN OPTION: ${hexOf('human')}`);
      expect(listing).toContain(`groups@bulwark UNKNOWN OPTION: ${hexOf('engineers,oncall')}`);
      const cert = parseCertificate(blob);
      expect(verifyCertificateSignature(cert)).toBe(true);
      expect(cert.extensions.map((e) => e.name)).toEqual(['groups@bulwark', 'kind@bulwark', 'permit-pty']);
    });
  }

  it('produces certificates auth/ turns into the intended identity', () => {
    const key = userKey();
    const { blob } = issueCertificate({ ...base, publicKey: readFileSync(`${key}.pub`, 'utf8'), extensions: { 'kind@bulwark': 'agent', 'groups@bulwark': 'agents' } });
    const r = authorizeCertificate({
      certBlob: blob, keyAlgo: 'ssh-ed25519-cert-v01@openssh.com', username: 'deploy', source: { address: '127.0.0.1', port: 1 },
      trustedCas: [trustedCaFromLine(caPubLine)], now: Date.now(), revocation: NO_REVOCATION_LIST, kindDefault: 'agent',
    });
    expect(r.ok && r.identity).toMatchObject({ subject: 'engineer@example.com', kind: 'agent', groups: ['agents'], serial: '4242' });
  });

  it('refuses malformed requests', () => {
    const pub = readFileSync(`${userKey()}.pub`, 'utf8');
    const code = { code: 'ERR_CERT_ISSUE_INVALID' };
    expect(() => issueCertificate({ ...base, publicKey: pub, principals: [] })).toThrow(expect.objectContaining(code));
    expect(() => issueCertificate({ ...base, publicKey: pub, principals: ['a,b'] })).toThrow(expect.objectContaining(code));
    expect(() => issueCertificate({ ...base, publicKey: pub, keyId: 'x\ny' })).toThrow(expect.objectContaining(code));
    expect(() => issueCertificate({ ...base, publicKey: pub, validBefore: base.validAfter })).toThrow(expect.objectContaining(code));
    expect(() => issueCertificate({ ...base, publicKey: 'ssh-ed25519 AAAA' })).toThrow(expect.objectContaining(code));
    expect(() => issueCertificate({ ...base, publicKey: pub, extensions: { 'bad name': null } })).toThrow(expect.objectContaining(code));
  });
});

describe('SerialLog', () => {
  it('hands out distinct 63-bit serials and logs each with its key ID', () => {
    const log = new SerialLog(join(dir, 'serials.log'));
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) seen.add(log.next(`user${i}@example.com`));
    expect(seen.size).toBe(200);
    for (const s of seen) expect(s > 0n && s < 1n << 63n).toBe(true);
    const lines = readFileSync(log.file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(lines[7]).toMatch(/^\d+\t\d{4}-\d\d-\d\dT[^\t]+\tuser7@example\.com$/);
  });

  it('refuses a corrupted log rather than risk a repeated serial', () => {
    const file = join(dir, 'bad-serials.log');
    writeFileSync(file, 'garbage\n');
    expect(() => new SerialLog(file).next('x')).toThrow(expect.objectContaining({ code: 'ERR_CA_SERIAL_LOG' }));
  });
});
