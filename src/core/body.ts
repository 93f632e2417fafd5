/** Request bodies read whole but bounded: a client cannot make the server buffer without limit. */

/**
 * The body's bytes, or undefined as soon as it exceeds `max` bytes (the rest is not read into
 * memory). Bytes are joined before decoding, so a character split between chunks stays whole.
 */
export async function readLimited(body: AsyncIterable<unknown>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
