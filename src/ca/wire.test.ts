import { describe, expect, it } from 'vitest';
import { WireReader, WireWriter, bytesEqual, decodeText } from './wire.js';
import { codeOf } from './testing/errors.js';

describe('WireReader', () => {
  it('reads what WireWriter wrote', () => {
    const bytes = new WireWriter().byte(7).uint32(0xdeadbeef).uint64(2n ** 64n - 1n).string('héllo').mpint(Uint8Array.of(0x80, 1)).toBytes();
    const r = new WireReader(bytes);
    expect(r.readByte()).toBe(7);
    expect(r.readUint32()).toBe(0xdeadbeef);
    expect(r.readUint64()).toBe(2n ** 64n - 1n);
    expect(r.readText()).toBe('héllo');
    expect([...r.readPositiveMpint()]).toEqual([0x80, 1]);
    expect(r.atEnd()).toBe(true);
  });

  it('refuses a string length that runs past the end, even 2^32-1', () => {
    expect(codeOf(() => new WireReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1)).readString())).toBe('ERR_SSH_WIRE_TRUNCATED');
    expect(codeOf(() => new WireReader(Uint8Array.of(0, 0, 0)).readUint32())).toBe('ERR_SSH_WIRE_TRUNCATED');
    expect(codeOf(() => new WireReader(new Uint8Array(7)).readUint64())).toBe('ERR_SSH_WIRE_TRUNCATED');
    expect(codeOf(() => new WireReader(new Uint8Array(0)).readByte())).toBe('ERR_SSH_WIRE_TRUNCATED');
  });

  it('reports trailing bytes', () => {
    const r = new WireReader(Uint8Array.of(1, 2));
    r.readByte();
    expect(codeOf(() => r.expectEnd('thing'))).toBe('ERR_SSH_WIRE_TRAILING_BYTES');
  });

  it('refuses negative and non-minimal mpints', () => {
    const mp = (...b: number[]) => new WireWriter().string(Uint8Array.from(b)).toBytes();
    expect(codeOf(() => new WireReader(mp(0x80)).readPositiveMpint())).toBe('ERR_SSH_WIRE_BAD_MPINT');
    expect(codeOf(() => new WireReader(mp(0, 1)).readPositiveMpint())).toBe('ERR_SSH_WIRE_BAD_MPINT');
    expect(codeOf(() => new WireReader(mp(0)).readPositiveMpint())).toBe('ERR_SSH_WIRE_BAD_MPINT');
    expect([...new WireReader(mp(0, 0x80)).readPositiveMpint()]).toEqual([0x80]);
    expect(new WireReader(mp()).readPositiveMpint().length).toBe(0);
  });

  it('refuses text with NUL or invalid UTF-8', () => {
    expect(codeOf(() => decodeText(Uint8Array.of(0x61, 0, 0x62), 'x'))).toBe('ERR_SSH_WIRE_BAD_TEXT');
    expect(codeOf(() => decodeText(Uint8Array.of(0xc3), 'x'))).toBe('ERR_SSH_WIRE_BAD_TEXT');
  });

  it('compares bytes', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});
