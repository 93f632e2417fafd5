import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePublicKey, signSsh } from './encode.js';
import { verifySshSignature } from './signature.js';
import { WireReader, WireWriter } from './wire.js';

const data = new TextEncoder().encode('session id + userauth request');
const pairs = {
  ed25519: generateKeyPairSync('ed25519'),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  p521: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

describe('verifySshSignature', () => {
  for (const [name, pair] of Object.entries(pairs)) {
    it(`${name}: verifies a good signature and rejects other data`, () => {
      const pub = encodePublicKey(pair.publicKey);
      const sig = signSsh(pair.privateKey, data);
      expect(verifySshSignature(pub, sig, data)).toBe(true);
      expect(verifySshSignature(pub, sig, new TextEncoder().encode('other'))).toBe(false);
      const flipped = Uint8Array.from(sig);
      flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 0x10;
      expect(verifySshSignature(pub, flipped, data)).toBe(false);
    });
  }

  it('rsa: accepts rsa-sha2-256 and rsa-sha2-512, refuses ssh-rsa (SHA-1)', () => {
    const pub = encodePublicKey(pairs.rsa.publicKey);
    expect(verifySshSignature(pub, signSsh(pairs.rsa.privateKey, data, 'rsa-sha2-256'), data)).toBe(true);
    const sha1 = new WireWriter().string('ssh-rsa').string(new Uint8Array(sign('sha1', data, pairs.rsa.privateKey))).toBytes();
    expect(verifySshSignature(pub, sha1, data)).toBe(false);
    // Same SHA-1 bytes labelled as a SHA-2 algorithm must not pass either.
    const relabelled = new WireWriter().string('rsa-sha2-256').string(new Uint8Array(sign('sha1', data, pairs.rsa.privateKey))).toBytes();
    expect(verifySshSignature(pub, relabelled, data)).toBe(false);
  });

  it('rsa: a signature labelled with the other SHA-2 hash fails', () => {
    const pub = encodePublicKey(pairs.rsa.publicKey);
    const sig = new WireReader(signSsh(pairs.rsa.privateKey, data, 'rsa-sha2-512'));
    sig.readText();
    const relabelled = new WireWriter().string('rsa-sha2-256').string(sig.readString()).toBytes();
    expect(verifySshSignature(pub, relabelled, data)).toBe(false);
  });

  it('the signature algorithm must match the key type', () => {
    const p256 = encodePublicKey(pairs.p256.publicKey);
    const p384sig = signSsh(pairs.p384.privateKey, data);
    expect(verifySshSignature(p256, p384sig, data)).toBe(false);
    const ed = encodePublicKey(pairs.ed25519.publicKey);
    const inner = new WireReader(signSsh(pairs.ed25519.privateKey, data));
    inner.readText();
    const asEcdsa = new WireWriter().string('ecdsa-sha2-nistp256').string(inner.readString()).toBytes();
    expect(verifySshSignature(ed, asEcdsa, data)).toBe(false);
  });

  it('ecdsa: r or s of zero, oversize or trailing bytes fail without throwing', () => {
    const pub = encodePublicKey(pairs.p256.publicKey);
    const sig = (inner: Uint8Array) => new WireWriter().string('ecdsa-sha2-nistp256').string(inner).toBytes();
    expect(verifySshSignature(pub, sig(new WireWriter().mpint(new Uint8Array(0)).mpint(Uint8Array.of(1)).toBytes()), data)).toBe(false);
    expect(verifySshSignature(pub, sig(new WireWriter().mpint(new Uint8Array(33).fill(1)).mpint(Uint8Array.of(1)).toBytes()), data)).toBe(false);
    const good = new WireReader(signSsh(pairs.p256.privateKey, data));
    good.readText();
    const goodInner = good.readString();
    expect(verifySshSignature(pub, sig(goodInner), data)).toBe(true);
    expect(verifySshSignature(pub, sig(new WireWriter().raw(goodInner).byte(0).toBytes()), data)).toBe(false);
  });

  it('garbage key or signature blobs return false', () => {
    const pub = encodePublicKey(pairs.ed25519.publicKey);
    expect(verifySshSignature(new Uint8Array(0), signSsh(pairs.ed25519.privateKey, data), data)).toBe(false);
    expect(verifySshSignature(pub, Uint8Array.of(0xff, 0xff, 0xff, 0xff), data)).toBe(false);
    expect(verifySshSignature(pub, new WireWriter().string('ssh-ed25519').string(new Uint8Array(63)).toBytes(), data)).toBe(false);
  });
});
