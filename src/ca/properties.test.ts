import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCertificate, verifyCertificateSignature } from './certificate.js';
import { isCaError } from './errors.js';
import { parseKrl } from './krl.js';
import { parsePublicKey, parsePublicKeyBlob } from './publickey.js';
import { verifySshSignature } from './signature.js';
import { lineBlob } from './testing/sshKeygen.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const certs = readdirSync(fixtures)
  .filter((f) => f.endsWith('-cert.pub'))
  .map((f) => ({ name: f, blob: lineBlob(readFileSync(join(fixtures, f), 'utf8')) }));

/** Runs `f`; returns the typed error it threw, null if it returned, and fails on anything else. */
function outcome(f: () => unknown): { code: string } | null {
  try {
    f();
    return null;
  } catch (e) {
    if (!isCaError(e)) throw new Error(`untyped error: ${String(e)}`);
    expect(typeof e.code).toBe('string');
    return e;
  }
}

describe('hostile input never crashes the parsers', () => {
  it('random bytes: only typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        outcome(() => parseCertificate(bytes));
        outcome(() => parsePublicKeyBlob(bytes));
        outcome(() => parseKrl(bytes));
        outcome(() => parseKrl(Uint8Array.from([...new TextEncoder().encode('SSHKRL\n\0'), 0, 0, 0, 1, ...bytes])));
        expect(typeof verifySshSignature(bytes, bytes, bytes)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('random text lines: only typed errors', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 }), (a, b) => {
        outcome(() => parsePublicKey(a));
        outcome(() => parsePublicKey(`ssh-ed25519 ${b}`));
      }),
      { numRuns: 1000 },
    );
  });

  for (const { name, blob } of certs) {
    it(`${name}: every truncation fails with a typed error`, () => {
      for (let n = 0; n < blob.length; n++) {
        const r = outcome(() => parseCertificate(blob.subarray(0, n)));
        expect(r).not.toBeNull();
      }
    });
  }

  it('random byte flips of real certificates: typed errors, and a changed signed byte never verifies', () => {
    const arb = fc.record({
      which: fc.nat({ max: certs.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 }),
    });
    let parsedAfterFlip = 0;
    fc.assert(
      fc.property(arb, ({ which, flips }) => {
        const original = certs[which]!.blob;
        const bytes = Uint8Array.from(original);
        for (const f of flips) {
          const at = f.at % bytes.length;
          bytes[at] = (bytes[at] as number) ^ f.xor;
        }
        let cert: ReturnType<typeof parseCertificate> | null = null;
        const r = outcome(() => {
          cert = parseCertificate(bytes);
        });
        if (r !== null || cert === null) return;
        parsedAfterFlip++;
        const c = cert as ReturnType<typeof parseCertificate>;
        const signedChanged = !Buffer.from(c.signedBytes).equals(Buffer.from(original.subarray(0, c.signedBytes.length))) || c.signedBytes.length !== parseCertificate(original).signedBytes.length;
        if (signedChanged) expect(verifyCertificateSignature(c)).toBe(false);
      }),
      { numRuns: 1500 },
    );
    // Most flips land in key material, nonce or text and still parse: the verify path was exercised.
    expect(parsedAfterFlip).toBeGreaterThan(100);
  });

  it('a flip of any single signed byte of a real certificate never verifies', () => {
    const { blob } = certs.find((c) => c.name.startsWith('ed25519-user'))!;
    const signedLength = parseCertificate(blob).signedBytes.length;
    fc.assert(
      fc.property(fc.nat({ max: signedLength - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bytes = Uint8Array.from(blob);
        bytes[at] = (bytes[at] as number) ^ xor;
        let verified = false;
        outcome(() => {
          verified = verifyCertificateSignature(parseCertificate(bytes));
        });
        expect(verified).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
