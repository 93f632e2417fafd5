/** Comparison of secrets a client sends (passwords, CSRF tokens) without a timing side channel. */
import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets are equal, in time that depends only on their lengths: a wrong guess does
 * not reveal how many of its leading characters were right.
 */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
