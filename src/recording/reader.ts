/**
 * Streaming line reader over a recording: exact bytes per line (the verifier hashes them) and
 * whether the line was newline-terminated (a crash may leave a partial last line).
 */
import { createReadStream } from 'node:fs';

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
