/**
 * Streaming line reader over a recording: exact bytes per line (the verifier hashes them) and
 * whether the line was newline-terminated (a crash may leave a partial last line).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseEvent, parseHeader, parseRecord, type CastEvent, type CastHeader } from './format.js';

export interface RawLine {
  /** 1-based line number = record number. */
  n: number;
  bytes: Buffer;
  complete: boolean;
}

export async function* readLines(file: string, start = 0): AsyncGenerator<RawLine> {
  let n = 0;
  let carry: Buffer[] = [];
  const stream = createReadStream(file, { highWaterMark: 1 << 20, start });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) break;
      const piece = chunk.subarray(pos, nl);
      const bytes = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
      carry = [];
      n += 1;
      yield { n, bytes, complete: true };
      pos = nl + 1;
    }
    if (pos < chunk.length) carry.push(chunk.subarray(pos));
  }
  if (carry.length > 0) {
    n += 1;
    yield { n, bytes: Buffer.concat(carry), complete: false };
  }
}

/**
 * Incremental reader for replay and follow mode: returns the events completed since the last
 * call, holds back a partial last line until its newline arrives, and notices the seal.
 */
export class CastTail {
  #offset = 0;
  #carry = Buffer.alloc(0);
  #line = 0;
  header: CastHeader | undefined;
  sealed = false;

  constructor(readonly file: string) {}

  async read(): Promise<CastEvent[]> {
    const fh = await open(this.file, 'r');
    const parts: Buffer[] = [this.#carry];
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.#offset);
        if (bytesRead === 0) break;
        this.#offset += bytesRead;
        parts.push(Buffer.from(buf.subarray(0, bytesRead)));
      }
    } finally {
      await fh.close();
    }
    const all = Buffer.concat(parts);
    const cut = all.lastIndexOf(0x0a);
    this.#carry = cut === -1 ? all : all.subarray(cut + 1);
    if (cut === -1) return [];
    const out: CastEvent[] = [];
    for (const text of all.subarray(0, cut).toString('utf8').split('\n')) {
      this.#line += 1;
      if (this.#line === 1) {
        this.header = parseHeader(text);
        continue;
      }
      const ev = parseEvent(text);
      if (ev === undefined) continue;
      const rec = parseRecord(ev);
      if (rec?.kind === 'checkpoint' && rec.sealed === true) this.sealed = true;
      out.push(ev);
    }
    return out;
  }
}
