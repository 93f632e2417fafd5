import { afterAll, describe, expect, it } from 'vitest';
import { encodePublicKey, formatPublicKeyLine } from './encode.js';
import { decodeKeyLine, fingerprint, parsePublicKey, parsePublicKeyBlob, toKeyObject } from './publickey.js';
import { KeygenWorkspace, lineBlob, runSshKeygen, type KeygenType } from './testing/sshKeygen.js';
import { WireWriter } from './wire.js';
import { codeOf } from './testing/errors.js';

const ws = new KeygenWorkspace();
afterAll(() => ws.cleanup());

const TYPES: KeygenType[] = ['ed25519', 'ecdsa-256', 'ecdsa-384', 'ecdsa-521', 'rsa'];

describe('public keys made by ssh-keygen', () => {
  for (const t of TYPES) {
    it(`${t}: parses, fingerprints as ssh-keygen -l does, converts to a KeyObject`, () => {
      const line = ws.generateKey(`k-${t}`, t);
      const key = parsePublicKey(line);
      expect(key.comment).toBe(`k-${t}`);
      const expected = runSshKeygen(['-l', '-E', 'sha256', '-f', ws.path(`k-${t}.pub`)]).stdout.split(' ')[1];
      expect(fingerprint(key.blob)).toBe(expected);
      expect(Buffer.from(key.blob).equals(Buffer.from(lineBlob(line)))).toBe(true);
      expect(toKeyObject(key).type).toBe('public');
    });
  }
});

describe('node keys written as SSH keys', () => {
  for (const t of TYPES) {
    it(`${t}: ssh-keygen reads what encodePublicKey wrote`, () => {
      const { line } = ws.nodeKey(`n-${t}`, t);
      const r = runSshKeygen(['-l', '-E', 'sha256', '-f', ws.path(`n-${t}.pub`)]);
      expect(r.status).toBe(0);
      expect(r.stdout.split(' ')[1]).toBe(fingerprint(parsePublicKey(line).blob));
    });
  }
});

describe('refusals', () => {
  it('refuses RSA below 2048 bits as weak', () => {
    const r = runSshKeygen(['-q', '-t', 'rsa', '-b', '1024', '-N', '', '-f', ws.path('weak')]);
    expect(r.status).toBe(0);
    const line = runSshKeygen(['-y', '-f', ws.path('weak')]).stdout;
    expect(codeOf(() => parsePublicKey(line))).toBe('ERR_SSH_KEY_WEAK');
  });

  it('refuses a line whose text type differs from the blob type', () => {
    const line = ws.generateKey('mismatch', 'ed25519').replace(/^ssh-ed25519/, 'ssh-rsa');
    expect(codeOf(() => decodeKeyLine(line))).toBe('ERR_SSH_KEY_LINE_MALFORMED');
  });

  it('refuses bad base64, missing fields and unknown types', () => {
    expect(codeOf(() => parsePublicKey('ssh-ed25519 AAAA*'))).toBe('ERR_SSH_KEY_LINE_MALFORMED');
    expect(codeOf(() => parsePublicKey('ssh-ed25519'))).toBe('ERR_SSH_KEY_LINE_MALFORMED');
    const dss = new WireWriter().string('ssh-dss').string('x').toBytes();
    expect(codeOf(() => parsePublicKeyBlob(dss))).toBe('ERR_SSH_KEY_UNSUPPORTED');
  });

  it('refuses an ed25519 key of the wrong length and trailing bytes', () => {
    expect(codeOf(() => parsePublicKeyBlob(new WireWriter().string('ssh-ed25519').string(new Uint8Array(31)).toBytes()))).toBe(
      'ERR_SSH_KEY_MALFORMED',
    );
    const ok = new WireWriter().string('ssh-ed25519').string(new Uint8Array(32).fill(9)).toBytes();
    expect(parsePublicKeyBlob(ok).type).toBe('ssh-ed25519');
    expect(codeOf(() => parsePublicKeyBlob(new WireWriter().raw(ok).byte(0).toBytes()))).toBe('ERR_SSH_WIRE_TRAILING_BYTES');
  });

  it('refuses an ECDSA point off the curve, a compressed point and a curve mismatch', () => {
    const good = parsePublicKey(ws.generateKey('ec', 'ecdsa-256'));
    if (good.type !== 'ecdsa-sha2-nistp256') throw new Error('unexpected type');
    const off = Uint8Array.from(good.point);
    off[64] = (off[64] as number) ^ 1;
    const blob = (curve: string, point: Uint8Array) => new WireWriter().string('ecdsa-sha2-nistp256').string(curve).string(point).toBytes();
    expect(codeOf(() => parsePublicKeyBlob(blob('nistp256', off)))).toBe('ERR_SSH_KEY_MALFORMED');
    expect(codeOf(() => parsePublicKeyBlob(blob('nistp384', good.point)))).toBe('ERR_SSH_KEY_MALFORMED');
    const compressed = Uint8Array.from([2, ...good.point.subarray(1, 33)]);
    expect(codeOf(() => parsePublicKeyBlob(blob('nistp256', compressed)))).toBe('ERR_SSH_KEY_MALFORMED');
    expect(parsePublicKeyBlob(blob('nistp256', good.point)).type).toBe('ecdsa-sha2-nistp256');
  });

  it('refuses an RSA key with an even exponent', () => {
    const key = parsePublicKey(ws.generateKey('r', 'rsa'));
    if (key.type !== 'ssh-rsa') throw new Error('unexpected type');
    const bad = new WireWriter().string('ssh-rsa').mpint(Uint8Array.of(1, 0, 0)).mpint(key.n).toBytes();
    expect(codeOf(() => parsePublicKeyBlob(bad))).toBe('ERR_SSH_KEY_MALFORMED');
  });

  it('formats a key line that parses back to the same blob', () => {
    const key = parsePublicKey(ws.generateKey('fmt', 'ecdsa-384'));
    expect(Buffer.from(parsePublicKey(formatPublicKeyLine(key.blob, 'c')).blob).equals(Buffer.from(key.blob))).toBe(true);
    expect(Buffer.from(encodePublicKey(toKeyObject(key))).equals(Buffer.from(key.blob))).toBe(true);
  });
});
