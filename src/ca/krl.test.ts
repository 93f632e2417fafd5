import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificateLine } from './certificate.js';
import { isCaError } from './errors.js';
import { isKrl, parseKrl } from './krl.js';
import { fingerprint, parsePublicKey } from './publickey.js';
import { KeygenWorkspace } from './testing/sshKeygen.js';
import { WireWriter } from './wire.js';
import { codeOf } from './testing/errors.js';

const ws = new KeygenWorkspace();
afterAll(() => ws.cleanup());

const MAGIC = new TextEncoder().encode('SSHKRL\n\0');
function header(format = 1): WireWriter {
  return new WireWriter().raw(MAGIC).uint32(format).uint64(3n).uint64(1700000000n).uint64(0n).string('').string('hand made');
}

interface Case {
  readonly name: string;
  readonly ca: string;
  readonly key: string;
  readonly serial: number;
  readonly id?: string;
}

describe('KRLs made by ssh-keygen -k agree with ssh-keygen -Q', () => {
  const cases: Case[] = [];
  let krl: Uint8Array;

  beforeAll(() => {
    for (const ca of ['ca1', 'ca2', 'ca3']) ws.generateKey(ca, 'ed25519');
    for (const k of ['plain', 'explicit', 'bysha1', 'bysha256', 'byhash']) ws.generateKey(k, k === 'bysha1' ? 'ecdsa-256' : 'ed25519');
    const line = (name: string) => ws.path(`${name}.pub`);
    const byHash = fingerprint(parsePublicKey(readPub(line('byhash'))).blob);
    const spec = [
      'serial: 1-5',
      'serial: 42',
      'serial: 100',
      'serial: 102',
      'serial: 104',
      'serial: 1000-5000',
      'serial: 18446744073709551615',
      'id: revoked-id@example.com',
      `key: ${readPub(line('explicit'))}`,
      `sha1: ${readPub(line('bysha1'))}`,
      `sha256: ${readPub(line('bysha256'))}`,
      `hash: ${byHash}`,
      `key: ${readPub(line('ca3'))}`,
    ].join('\n');
    krl = ws.makeKrl('krl', `${spec}\n`, 'ca1');
    const add = (c: Case) => cases.push(c);
    for (const serial of [0, 1, 3, 5, 6, 41, 42, 43, 99, 100, 101, 102, 103, 104, 105, 999, 1000, 3000, 5000, 5001]) {
      add({ name: `ca1-serial-${serial}`, ca: 'ca1', key: 'plain', serial });
      add({ name: `ca2-serial-${serial}`, ca: 'ca2', key: 'plain', serial });
    }
    add({ name: 'ca1-id', ca: 'ca1', key: 'plain', serial: 0, id: 'revoked-id@example.com' });
    add({ name: 'ca1-id-case', ca: 'ca1', key: 'plain', serial: 0, id: 'Revoked-id@example.com' });
    add({ name: 'ca2-id', ca: 'ca2', key: 'plain', serial: 0, id: 'revoked-id@example.com' });
    for (const k of ['explicit', 'bysha1', 'bysha256', 'byhash']) add({ name: `key-${k}`, ca: 'ca2', key: k, serial: 7 });
    add({ name: 'revoked-ca', ca: 'ca3', key: 'plain', serial: 7 });
    for (const c of cases) {
      ws.certify({ ca: c.ca, key: c.key, identity: c.id ?? 'someone', serial: c.serial, principals: ['p'] }, `${c.name}.cert`);
    }
    // The maximum serial needs -z with its decimal form, which ssh-keygen accepts.
    ws.certify({ ca: 'ca1', key: 'plain', identity: 'max', serial: 18446744073709551615n, principals: ['p'] }, 'max.cert');
    cases.push({ name: 'max', ca: 'ca1', key: 'plain', serial: -1 });
  });

  it('parses the KRL and reports the same verdict as OpenSSH for every certificate', () => {
    expect(isKrl(krl)).toBe(true);
    const parsed = parseKrl(krl);
    let revoked = 0;
    for (const c of cases) {
      const file = c.name === 'max' ? 'max.cert' : `${c.name}.cert`;
      const cert = parseCertificateLine(readPub(ws.path(file)));
      const expected = ws.sshKeygenSaysRevoked('krl', file);
      expect({ name: c.name, revoked: parsed.isRevoked(cert) }).toEqual({ name: c.name, revoked: expected });
      if (expected) revoked++;
    }
    // Guard against a matrix where OpenSSH trivially says "ok" (or "revoked") to everything.
    expect(revoked).toBeGreaterThan(10);
    expect(cases.length - revoked).toBeGreaterThan(10);
  });

  it('explains why', () => {
    const parsed = parseKrl(krl);
    const reason = (f: string) => parsed.revocationReason(parseCertificateLine(readPub(ws.path(f))));
    expect(reason('ca1-serial-42.cert')).toMatch(/serial 42/);
    expect(reason('ca1-id.cert')).toMatch(/key id "revoked-id@example.com"/);
    expect(reason('key-explicit.cert')).toMatch(/certificate key/);
    expect(reason('revoked-ca.cert')).toMatch(/CA key/);
    expect(reason('ca1-serial-6.cert')).toBeNull();
  });
});

function readPub(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

describe('hand-made KRLs', () => {
  let cert: ReturnType<typeof parseCertificateLine>;
  beforeAll(() => {
    ws.generateKey('hca', 'ed25519');
    ws.generateKey('huser', 'ed25519');
    cert = parseCertificateLine(ws.certify({ ca: 'hca', key: 'huser', identity: 'zed', serial: 77, principals: ['p'] }));
  });
  const certSection = (ca: Uint8Array, sub: Uint8Array) => new WireWriter().byte(1).string(new WireWriter().string(ca).string('').raw(sub).toBytes()).toBytes();

  it('an empty CA key applies to every CA', () => {
    const sub = new WireWriter().byte(0x23).string(new WireWriter().string('zed').toBytes()).toBytes();
    const k = parseKrl(header().raw(certSection(new Uint8Array(0), sub)).toBytes());
    expect(k.isRevoked(cert)).toBe(true);
    expect(k.comment).toBe('hand made');
    expect(k.version).toBe(3n);
  });

  it('a bitmap with offset revokes exactly its bits', () => {
    const bits = new Uint8Array(2);
    bits[0] = 0x01; // bit 8 → serial offset+8
    const sub = new WireWriter().byte(0x22).string(new WireWriter().uint64(69n).mpint(bits).toBytes()).toBytes();
    const k = parseKrl(header().raw(certSection(cert.signatureKey.blob, sub)).toBytes());
    expect(k.isRevoked(cert)).toBe(true);
    const sub2 = new WireWriter().byte(0x22).string(new WireWriter().uint64(70n).mpint(bits).toBytes()).toBytes();
    expect(parseKrl(header().raw(certSection(cert.signatureKey.blob, sub2)).toBytes()).isRevoked(cert)).toBe(false);
  });

  it('skips signature sections, and refuses sections after them', () => {
    const sig = new WireWriter().byte(4).string('key').string('sig').toBytes();
    expect(parseKrl(header().raw(sig).raw(sig).toBytes()).isRevoked(cert)).toBe(false);
    const after = new WireWriter().byte(2).string(new WireWriter().string(cert.publicKey.blob).toBytes()).toBytes();
    expect(codeOf(() => parseKrl(header().raw(sig).raw(after).toBytes()))).toBe('ERR_KRL_MALFORMED');
    expect(parseKrl(header().raw(after).toBytes()).isRevoked(cert)).toBe(true);
  });

  it('ignores non-critical extensions and refuses critical ones', () => {
    const ext = (critical: boolean) => new WireWriter().byte(255).string(new WireWriter().string('x@example.com').byte(critical ? 1 : 0).string('').toBytes()).toBytes();
    expect(parseKrl(header().raw(ext(false)).toBytes()).isRevoked(cert)).toBe(false);
    expect(codeOf(() => parseKrl(header().raw(ext(true)).toBytes()))).toBe('ERR_KRL_CRITICAL_EXTENSION');
    const certExt = new WireWriter().byte(0x39).string(new WireWriter().string('y').byte(1).string('').toBytes()).toBytes();
    expect(codeOf(() => parseKrl(header().raw(certSection(new Uint8Array(0), certExt)).toBytes()))).toBe('ERR_KRL_CRITICAL_EXTENSION');
  });

  it('refuses bad magic, other format versions, unknown sections, inverted ranges, bad hash sizes', () => {
    expect(codeOf(() => parseKrl(new TextEncoder().encode('# not a krl\n')))).toBe('ERR_KRL_BAD_MAGIC');
    expect(codeOf(() => parseKrl(header(2).toBytes()))).toBe('ERR_KRL_UNSUPPORTED_VERSION');
    expect(codeOf(() => parseKrl(header().byte(9).string('').toBytes()))).toBe('ERR_KRL_MALFORMED');
    const inverted = new WireWriter().byte(0x21).string(new WireWriter().uint64(5n).uint64(4n).toBytes()).toBytes();
    expect(codeOf(() => parseKrl(header().raw(certSection(new Uint8Array(0), inverted)).toBytes()))).toBe('ERR_KRL_MALFORMED');
    const badHash = new WireWriter().byte(5).string(new WireWriter().string(new Uint8Array(20)).toBytes()).toBytes();
    expect(codeOf(() => parseKrl(header().raw(badHash).toBytes()))).toBe('ERR_KRL_MALFORMED');
  });

  it('every truncation of a real KRL fails with a typed error', () => {
    const real = ws.makeKrl('trunc', 'serial: 1-3\nserial: 9\nid: x\n', 'hca');
    let failures = 0;
    for (let n = 0; n < real.length; n++) {
      let err: unknown = null;
      try {
        parseKrl(real.subarray(0, n));
      } catch (e) {
        err = e;
      }
      // A cut exactly between sections is a valid shorter KRL; anything else must be a typed error.
      if (err !== null) {
        expect(isCaError(err)).toBe(true);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(real.length - 5);
  });
});
