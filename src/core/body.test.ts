import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLimited } from './body.js';

describe('readLimited', () => {
  it('joins the chunks before decoding, so a character split between them stays whole', async () => {
    const bytes = Buffer.from('café=日本', 'utf8');
    const body = await readLimited(Readable.from([bytes.subarray(0, 4), bytes.subarray(4, 9), bytes.subarray(9)]), 64);
    expect(body?.toString('utf8')).toBe('café=日本');
  });

  it('accepts exactly the limit and gives up past it without reading the rest', async () => {
    expect((await readLimited(Readable.from([Buffer.alloc(8), Buffer.alloc(8)]), 16))?.length).toBe(16);
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield Buffer.alloc(1024);
      }
    }
    expect(await readLimited(endless(), 4096)).toBeUndefined();
    expect(pulled).toBe(5);
  });
});
