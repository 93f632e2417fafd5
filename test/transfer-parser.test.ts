/**
 * The passive SFTP observer on its own: files and changes from a hand-built v3 stream (split at
 * every byte boundary, as TCP may deliver it), and its bounds: oversized or zero lengths and a
 * flood of unanswered requests are reported once; random bytes never throw.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SftpParser, type FileRecord, type OpRecord } from '../src/session/transfer/index.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (s: string | Buffer) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
const pkt = (type: number, ...parts: Buffer[]) => {
  const body = Buffer.concat([Buffer.from([type]), ...parts]);
  return Buffer.concat([u32(body.length), body]);
};
const u64 = (n: number) => Buffer.concat([u32(0), u32(n)]);

function observe() {
  const files: FileRecord[] = [];
  const ops: OpRecord[] = [];
  const garbled: string[] = [];
  const p = new SftpParser({ onFile: (f) => files.push(f), onOp: (o) => ops.push(o), onGarbled: (w) => garbled.push(w) });
  return { p, files, ops, garbled };
}

describe('SftpParser', () => {
  it('follows an upload, a download and a rename, whatever the chunking', () => {
    const payload = randomBytes(5000);
    // Request, then its reply, in wire order: a client only learns a handle from the reply.
    const exchanges: [Buffer, Buffer][] = [
      [pkt(1, u32(3)), pkt(2, u32(3))], // INIT, VERSION
      [pkt(3, u32(1), str('/srv/up.bin'), u32(0x1a), u32(0)), pkt(102, u32(1), str('H1'))], // OPEN write|creat|trunc
      [pkt(6, u32(2), str('H1'), u64(0), str(payload)), pkt(101, u32(2), u32(0))], // WRITE
      [pkt(4, u32(3), str('H1')), pkt(101, u32(3), u32(0))], // CLOSE
      [pkt(3, u32(4), str('/srv/down.bin'), u32(0x01), u32(0)), pkt(102, u32(4), str('H2'))], // OPEN read
      [pkt(5, u32(5), str('H2'), u64(0), u32(32768)), pkt(103, u32(5), str(randomBytes(1234)))], // READ, DATA
      [pkt(4, u32(6), str('H2')), pkt(101, u32(6), u32(0))],
      [pkt(18, u32(7), str('/srv/a'), str('/srv/b')), pkt(101, u32(7), u32(0))], // RENAME
    ];
    for (const step of [1, 3, 7, 4096]) {
      const { p, files, ops, garbled } = observe();
      for (const [req, reply] of exchanges) {
        for (let i = 0; i < req.length; i += step) p.fromClient(req.subarray(i, i + step));
        for (let i = 0; i < reply.length; i += step) p.fromServer(reply.subarray(i, i + step));
      }
      p.end();
      expect(garbled).toEqual([]);
      expect(files).toEqual([
        { path: '/srv/up.bin', direction: 'upload', flags: ['write', 'creat', 'trunc'], bytesRead: 0, bytesWritten: 5000 },
        { path: '/srv/down.bin', direction: 'download', flags: ['read'], bytesRead: 1234, bytesWritten: 0 },
      ]);
      expect(ops).toEqual([{ op: 'rename', path: '/srv/a', to: '/srv/b', status: 0 }]);
    }
  });

  it('reports a length above 256 KiB or of zero once, then ignores the rest', () => {
    for (const bad of [u32(256 * 1024 + 1), u32(0)]) {
      const { p, garbled } = observe();
      p.fromClient(Buffer.concat([bad, randomBytes(1000)]));
      p.fromClient(pkt(13, u32(1), str('/x')));
      p.fromServer(u32(0xffffffff));
      expect(garbled.length).toBe(1);
      expect(garbled[0]).toMatch(/packet length/);
      expect(p.dead).toBe(true);
    }
  });

  it('bounds unanswered requests', () => {
    const { p, garbled } = observe();
    for (let i = 0; i < 10_001; i++) p.fromClient(pkt(13, u32(i), str(`/f${i}`)));
    expect(garbled).toEqual(['client: more than 10000 requests unanswered']);
  });

  it('never throws on random bytes in either direction', () => {
    for (let i = 0; i < 300; i++) {
      const { p } = observe();
      expect(() => {
        p.fromClient(randomBytes(Math.floor(Math.random() * 600)));
        p.fromServer(randomBytes(Math.floor(Math.random() * 600)));
        p.end();
      }).not.toThrow();
    }
  });
});
