import { randomBytes, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, parseCertificate, parsePublicKey, signSsh } from '../ca/index.js';
import { KeygenWorkspace, lineBlob, type CertSpec, type KeygenType } from '../ca/testing/sshKeygen.js';
import { authorizeCertificate, type AuthorizeInput } from './authorize.js';
import type { AuthRefusalCode, AuthResult } from './result.js';
import { NO_REVOCATION_LIST, RevocationList } from './revocationList.js';
import { trustedCaFromLine, type TrustedCa } from './trustedCa.js';

const ws = new KeygenWorkspace();
afterAll(() => ws.cleanup());

let trusted: TrustedCa[];
const users: Partial<Record<KeygenType, { privateKey: KeyObject; line: string }>> = {};
const signedData = new Uint8Array(randomBytes(96));
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const lists: RevocationList[] = [];
afterAll(() => lists.forEach((l) => l.close()));

beforeAll(() => {
  trusted = [trustedCaFromLine(ws.generateKey('other-ca', 'ecdsa-256')), trustedCaFromLine(ws.generateKey('ca', 'ed25519'))];
  ws.generateKey('evil-ca', 'ed25519');
  for (const t of ['ed25519', 'ecdsa-384', 'rsa'] as const) users[t] = ws.nodeKey(`user-${t}`, t);
});

let counter = 0;
/** A certificate from the real ssh-keygen for the node-made user key of `type`. */
function issue(spec: Partial<CertSpec> = {}, type: KeygenType = 'ed25519'): Uint8Array {
  counter++;
  const line = ws.certify(
    { ca: 'ca', key: `user-${type}`, identity: 'alice@example.com', principals: ['alice'], serial: 1000 + counter, validity: '20290101:20310101', ...spec },
    `c${counter}.pub`,
  );
  return lineBlob(line);
}

const ALGO: Record<string, string> = {
  ed25519: 'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-384': 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  rsa: 'rsa-sha2-512-cert-v01@openssh.com',
};

function input(certBlob: Uint8Array, over: Partial<AuthorizeInput> = {}, type: KeygenType = 'ed25519'): AuthorizeInput {
  return {
    certBlob,
    keyAlgo: ALGO[type] as string,
    signature: signSsh(users[type]!.privateKey, signedData),
    signedData,
    username: 'alice',
    source: { address: '10.1.2.3', port: 50022 },
    trustedCas: trusted,
    now: NOW,
    revocation: NO_REVOCATION_LIST,
    kindDefault: 'agent',
    ...over,
  };
}

function refusedWith(r: AuthResult, code: AuthRefusalCode): void {
  expect(r.ok ? 'accepted' : r.code).toBe(code);
  if (!r.ok) expect(r.reason.length).toBeGreaterThan(10);
}

describe('accepted certificates', () => {
  it('maps a full certificate to an Identity', () => {
    const blob = issue({ serial: 18446744073709551615n, options: ['force-command=/usr/bin/uptime', 'source-address=10.0.0.0/8,2001:db8::/32', 'extension:kind@bulwark=human', 'extension:groups@bulwark= dba , oncall,,dba'] });
    const r = authorizeCertificate(input(blob));
    if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
    const cert = parseCertificate(blob);
    expect(r.identity).toEqual({
      subject: 'alice@example.com',
      kind: 'human',
      groups: ['dba', 'oncall'],
      principal: 'alice',
      serial: '18446744073709551615',
      caFingerprint: trusted[1]!.fingerprint,
      keyFingerprint: fingerprint(parsePublicKey(users.ed25519!.line).blob),
      source: { address: '10.1.2.3', port: 50022 },
      validBefore: Number(cert.validBefore) * 1000,
    });
    expect(r.forceCommand).toBe('/usr/bin/uptime');
    expect(r.sourceAddresses).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(r.permits).toEqual({ pty: true, portForwarding: true, agentForwarding: true, x11: true, userRc: true });
    expect(r.signatureVerified).toBe(true);
  });

  it('defaults: no kind → kindDefault, no groups, clear → no permits, no force command', () => {
    const blob = issue({ options: ['clear'] });
    const r = authorizeCertificate(input(blob));
    if (!r.ok) throw new Error(r.code);
    expect(r.identity.kind).toBe('agent');
    expect(r.identity.groups).toEqual([]);
    expect(r.permits).toEqual({ pty: false, portForwarding: false, agentForwarding: false, x11: false, userRc: false });
    expect(r.forceCommand).toBeUndefined();
    expect(r.sourceAddresses).toBeUndefined();
    const human = authorizeCertificate(input(blob, { kindDefault: 'human' }));
    expect(human.ok && human.identity.kind).toBe('human');
  });

  it('query step (no signature): acceptable but not signature-verified', () => {
    const r = authorizeCertificate(input(issue(), { signature: undefined, signedData: undefined }));
    expect(r.ok && r.signatureVerified).toBe(false);
    expect(r.ok).toBe(true);
  });

  it('ECDSA P-384 and RSA user keys with real signatures', () => {
    for (const t of ['ecdsa-384', 'rsa'] as const) {
      const r = authorizeCertificate(input(issue({}, t), {}, t));
      expect(r.ok ? 'ok' : r.code).toBe('ok');
    }
    const rsa256 = authorizeCertificate(
      input(issue({}, 'rsa'), { keyAlgo: 'rsa-sha2-256-cert-v01@openssh.com', signature: signSsh(users.rsa!.privateKey, signedData, 'rsa-sha2-256') }, 'rsa'),
    );
    expect(rsa256.ok).toBe(true);
  });

  it('a never-expiring certificate gets a finite validBefore', () => {
    const r = authorizeCertificate(input(issue({ validity: 'always:forever' })));
    expect(r.ok && r.identity.validBefore).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('refusals, each with its code', () => {
  it('garbage certificate', () => refusedWith(authorizeCertificate(input(Uint8Array.of(0, 0, 0, 1, 0x41))), 'AUTH_CERT_MALFORMED'));

  it('key algorithm inconsistent with the certificate', () => {
    refusedWith(authorizeCertificate(input(issue(), { keyAlgo: 'ecdsa-sha2-nistp256-cert-v01@openssh.com' })), 'AUTH_KEY_ALGO_MISMATCH');
    refusedWith(authorizeCertificate(input(issue(), { keyAlgo: 'ssh-ed25519' })), 'AUTH_KEY_ALGO_MISMATCH');
    const plain = authorizeCertificate(input(parsePublicKey(users.ed25519!.line).blob, { keyAlgo: 'ssh-ed25519' }));
    refusedWith(plain, 'AUTH_KEY_ALGO_MISMATCH');
    expect(!plain.ok && plain.reason).toMatch(/certificates only/);
    refusedWith(authorizeCertificate(input(issue({}, 'rsa'), { keyAlgo: 'ssh-rsa-cert-v01@openssh.com' }, 'rsa')), 'AUTH_KEY_ALGO_SHA1');
  });

  it('host certificate used as a user certificate', () => refusedWith(authorizeCertificate(input(issue({ host: true }))), 'AUTH_NOT_USER_CERT'));

  it('certificate from an untrusted CA', () => {
    const r = authorizeCertificate(input(issue({ ca: 'evil-ca' })));
    refusedWith(r, 'AUTH_CA_UNTRUSTED');
    expect(!r.ok && r.claimed?.keyId).toBe('alice@example.com');
  });

  it('tampered certificate bytes', () => {
    const blob = issue({ principals: ['alice', 'bob'] });
    const at = Buffer.from(blob).indexOf('bob');
    blob[at] = 'r'.charCodeAt(0);
    refusedWith(authorizeCertificate(input(blob, { username: 'rob' })), 'AUTH_CA_SIGNATURE_INVALID');
  });

  it('bad user signatures', () => {
    const blob = issue();
    refusedWith(authorizeCertificate(input(blob, { signature: signSsh(users.ed25519!.privateKey, Uint8Array.of(1, 2, 3)) })), 'AUTH_USER_SIGNATURE_INVALID');
    refusedWith(authorizeCertificate(input(blob, { signature: signSsh(users['ecdsa-384']!.privateKey, signedData) })), 'AUTH_USER_SIGNATURE_INVALID');
    refusedWith(authorizeCertificate(input(blob, { signature: Uint8Array.of(0, 0, 0, 9) })), 'AUTH_USER_SIGNATURE_INVALID');
    const rsa = issue({}, 'rsa');
    const sha512 = signSsh(users.rsa!.privateKey, signedData, 'rsa-sha2-512');
    refusedWith(authorizeCertificate(input(rsa, { keyAlgo: 'rsa-sha2-256-cert-v01@openssh.com', signature: sha512 }, 'rsa')), 'AUTH_USER_SIGNATURE_INVALID');
    refusedWith(authorizeCertificate(input(blob, { signedData: undefined })), 'AUTH_BAD_REQUEST');
  });

  it('validity window with 60 s skew', () => {
    const blob = issue({ validity: '20300101:20300102' });
    const cert = parseCertificate(blob);
    const after = Number(cert.validAfter) * 1000;
    const before = Number(cert.validBefore) * 1000;
    const at = (now: number, skew?: number) => authorizeCertificate(input(blob, { now, ...(skew !== undefined ? { clockSkewSeconds: skew } : {}) }));
    refusedWith(at(after - 61_000), 'AUTH_CERT_NOT_YET_VALID');
    expect(at(after - 59_000).ok).toBe(true);
    refusedWith(at(after - 1000, 0), 'AUTH_CERT_NOT_YET_VALID');
    expect(at(before + 59_000).ok).toBe(true);
    refusedWith(at(before + 60_000), 'AUTH_CERT_EXPIRED');
    refusedWith(at(before, 0), 'AUTH_CERT_EXPIRED');
    refusedWith(at(Date.UTC(2040, 0, 1)), 'AUTH_CERT_EXPIRED');
    refusedWith(at(NOW, -1), 'AUTH_BAD_REQUEST');
    refusedWith(at(NOW, 3600), 'AUTH_BAD_REQUEST');
  });

  it('principals', () => {
    refusedWith(authorizeCertificate(input(issue(), { username: 'root' })), 'AUTH_PRINCIPAL_MISMATCH');
    refusedWith(authorizeCertificate(input(issue({ principals: undefined }))), 'AUTH_NO_PRINCIPALS');
  });

  it('source-address: match, mismatch, IPv4-mapped and IPv6', () => {
    const blob = issue({ options: ['source-address=10.0.0.0/8,192.0.2.7,2001:db8::/32'] });
    const from = (address: string) => authorizeCertificate(input(blob, { source: { address, port: 1 } }));
    expect(from('10.200.0.1').ok).toBe(true);
    expect(from('192.0.2.7').ok).toBe(true);
    expect(from('::ffff:10.9.9.9').ok).toBe(true);
    expect(from('2001:db8:1::5').ok).toBe(true);
    refusedWith(from('192.0.2.8'), 'AUTH_SOURCE_ADDRESS_DENIED');
    refusedWith(from('11.0.0.1'), 'AUTH_SOURCE_ADDRESS_DENIED');
    refusedWith(from('::ffff:11.0.0.1'), 'AUTH_SOURCE_ADDRESS_DENIED');
    refusedWith(from('2001:db9::1'), 'AUTH_SOURCE_ADDRESS_DENIED');
    refusedWith(from('not-an-ip'), 'AUTH_SOURCE_ADDRESS_DENIED');
  });

  it('unknown critical option and verify-required', () => {
    refusedWith(authorizeCertificate(input(issue({ options: ['critical:no-shell@example.com=1'] }))), 'AUTH_UNKNOWN_CRITICAL_OPTION');
    refusedWith(authorizeCertificate(input(issue({ options: ['verify-required'] }))), 'AUTH_VERIFY_REQUIRED_UNSUPPORTED');
  });

  it('revoked by serial in a KRL made by ssh-keygen -k', () => {
    const blob = issue({ serial: 4242 });
    ws.makeKrl('auth.krl', 'serial: 4242\n', 'ca');
    const list = new RevocationList(ws.path('auth.krl'));
    lists.push(list);
    const r = authorizeCertificate(input(blob, { revocation: list }));
    refusedWith(r, 'AUTH_CERT_REVOKED');
    expect(!r.ok && r.reason).toMatch(/serial 4242/);
    expect(authorizeCertificate(input(issue({ serial: 4243 }), { revocation: list })).ok).toBe(true);
  });

  it('revoked by key id in a text deny list', () => {
    const list = new RevocationList(ws.write('deny.txt', '# revoked\nkey-id:alice@example.com\n'));
    lists.push(list);
    refusedWith(authorizeCertificate(input(issue(), { revocation: list })), 'AUTH_CERT_REVOKED');
    expect(authorizeCertificate(input(issue({ identity: 'bob@example.com' }), { revocation: list })).ok).toBe(true);
  });

  it('identity extensions and key id', () => {
    refusedWith(authorizeCertificate(input(issue({ identity: '' }))), 'AUTH_EMPTY_KEY_ID');
    refusedWith(authorizeCertificate(input(issue({ options: ['extension:kind@bulwark=robot'] }))), 'AUTH_BAD_KIND');
    refusedWith(authorizeCertificate(input(issue({ options: ['extension:kind@bulwark'] }))), 'AUTH_BAD_KIND');
    refusedWith(authorizeCertificate(input(issue({ options: ['extension:groups@bulwark=ok,bad group'] }))), 'AUTH_BAD_GROUPS');
  });

  it('a revocation check that throws fails closed', () => {
    const r = authorizeCertificate(input(issue(), { revocation: { check: () => { throw new Error('boom'); } } }));
    refusedWith(r, 'AUTH_INTERNAL_ERROR');
  });

  it('hostile inputs never throw and never accept', () => {
    const good = issue();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.string(), fc.nat({ max: good.length - 1 }), (junk, algo, at) => {
        const flipped = Uint8Array.from(good);
        flipped[at] = (flipped[at] as number) ^ 0x5a;
        for (const i of [input(junk), input(good, { keyAlgo: algo }), input(flipped)]) {
          const r = authorizeCertificate(i);
          if (i.certBlob === flipped) expect(r.ok).toBe(false);
          if (i.certBlob === junk) expect(r.ok).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
