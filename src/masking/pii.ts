/**
 * PII detectors: e-mail addresses, payment card numbers (Luhn-checked) and IBANs (mod-97).
 *
 * Card numbers: 13–19 digits starting with 2–6 (the issuer ranges of Visa, Mastercard, Amex,
 * Discover, JCB, UnionPay, Diners), single spaces or dashes allowed between digits; the longest
 * Luhn-valid run ending at a digit boundary wins, so `4111 1111 1111 1111 2024` masks the card and
 * keeps the year. Numbers starting with 0, 1, 7, 8, 9 (timestamps, ids) are never cards here.
 * IBANs: two capital letters, two check digits, 11–30 more alphanumerics with optional single
 * spaces, 15–34 characters compact, mod-97 = 1; trailing groups that break the checksum (a
 * currency code after the IBAN) are dropped rather than giving up.
 *
 * Trust boundary: untrusted output text; bounded quantifiers only. Known limits: lower-case
 * IBANs and non-ASCII e-mail addresses are not recognised.
 */
import { ibanValid, luhnValid } from './checks.js';
import type { Detector, Finding } from './detector.js';
import { regexDetector } from './detector.js';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Longest prefix of `cand` (starting at `at` in scan) that ends on a boundary and passes `valid`
 * on its characters with separators removed; returns its length or 0.
 */
function longestValid(scan: string, at: number, cand: string, boundary: (c: number) => boolean, valid: (compact: string) => boolean): number {
  for (let len = cand.length; len > 0; len--) {
    const last = cand.charCodeAt(len - 1);
    if (last === 32 || last === 45) continue;
    const next = at + len < scan.length ? scan.charCodeAt(at + len) : -1;
    if (next !== -1 && !boundary(next)) continue;
    if (valid(cand.slice(0, len).replace(/[ -]/g, ''))) return len;
  }
  return 0;
}

function candidateDetector(id: string, rule: string, re: RegExp, maxLength: number, partial: string, boundary: (c: number) => boolean, valid: (compact: string) => boolean): Detector {
  return {
    id,
    rule,
    maxLength,
    partial: new RegExp(`${partial}$`),
    find(scan, from, out: Finding[]) {
      re.lastIndex = from;
      for (let m = re.exec(scan); m; m = re.exec(scan)) {
        if (m.index > 0 && !boundary(scan.charCodeAt(m.index - 1))) {
          re.lastIndex = m.index + 1;
          continue;
        }
        const len = longestValid(scan, m.index, m[0], boundary, valid);
        if (len === 0) {
          re.lastIndex = m.index + 1;
          continue;
        }
        const end = m.index + len;
        out.push({ start: m.index, end, maskStart: m.index, maskEnd: end, id });
        re.lastIndex = end;
      }
    },
  };
}

const cardDigits = (compact: string): boolean => compact.length >= 13 && compact.length <= 19 && luhnValid(compact);

export const PII_DETECTORS: Readonly<Record<string, readonly Detector[]>> = {
  emails: [
    regexDetector({
      id: 'emails',
      rule: 'email',
      anchors: { literals: ['@'], back: 64, run: 'A-Za-z0-9._%+\\-' },
      tail: 'A-Za-z0-9._%+@\\-',
      re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/dg,
      maxLength: 64 + 1 + 64 * 9 + 25,
      partial: '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}(?:@[A-Za-z0-9.-]{0,600})?',
    }),
  ],
  'payment-cards': [
    candidateDetector(
      'payment-cards',
      'card-number',
      // The first four digits of every card format are contiguous, and so are the next four
      // (4-4-4-4 and Amex 4-6-5): a cheap shape to search for; the look-behind is checked by hand.
      /[2-6][0-9]{3}[ -]?[0-9]{4}(?:[ -]?[0-9]){5,11}/g,
      40,
      '(?<![0-9])[2-6](?:[ -]?[0-9]){0,18}[ -]?',
      (c) => !isDigit(c),
      cardDigits,
    ),
  ],
  ibans: [
    candidateDetector(
      'ibans',
      'iban',
      /[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}/g,
      70,
      '(?<![A-Za-z0-9])[A-Z](?:[A-Z](?:[0-9](?:[0-9](?: ?[A-Z0-9]){0,30} ?)?)?)?',
      (c) => !isAlnum(c),
      ibanValid,
    ),
  ],
};
