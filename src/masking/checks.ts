/**
 * Validators that turn a pattern hit into a real finding: Luhn for card numbers, ISO 13616 mod-97
 * for IBANs, Shannon entropy and placeholder recognition for `key=value` assignments.
 *
 * Trust boundary: inputs are substrings of untrusted session output; every function is total
 * (never throws) and linear in its input. Known limits: IBAN country lengths are not checked
 * (mod-97 alone lets about 1 in 97 random candidates through, which only over-masks).
 */

/** Luhn checksum over a string of ASCII digits (separators already removed). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters → 10..35, value mod 97 must be 1. */
export function ibanValid(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  const s = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Values that are not secrets but stand in for one: already masked output (`****`,
 * `[masked:…]`), one repeated character (`xxxxxxxx`), variable references (`$PW`, `${PW}`,
 * `%PW%`, `{{ pw }}`) and `<placeholder>`. Recognising these keeps masking idempotent and stops
 * `password=$DB_PASSWORD` in a script listing from being starred out.
 */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  if (value.startsWith('[masked:')) return true;
  if (/^(.)\1*$/s.test(value)) return true;
  // Only what masking already left (fill characters, tags, spaces): masking masked output again
  // must change nothing, and a `;`-ended value may span a tag that replaced a multi-line secret.
  const rest = value.replace(/\[masked:[^\]]*\]/g, '').replace(/\s+/g, '');
  if (rest !== value.replace(/\s+/g, '') && /^(.)\1*$|^$/s.test(rest)) return true;
  return /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|<[^<>]*>)$/.test(value);
}

/** Generic secret assignments (`token=`, `secret=`, `api_key=`): the entropy rule, see docs/masking.md. */
export const GENERIC_MIN_LENGTH = 8;
export const GENERIC_MIN_ENTROPY = 3.0;

export function looksRandom(value: string): boolean {
  return value.length >= GENERIC_MIN_LENGTH && shannonEntropy(value) >= GENERIC_MIN_ENTROPY && !isPlaceholder(value);
}
