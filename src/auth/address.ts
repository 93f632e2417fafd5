import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedIp {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

function ipv4Bytes(s: string): Uint8Array | null {
  if (!isIPv4(s)) return null;
  return Uint8Array.from(s.split('.').map(Number));
}

/** Expands an IPv6 literal (with `::` and an optional dotted IPv4 tail) to 16 bytes. */
function ipv6Bytes(s: string): Uint8Array | null {
  if (!isIPv6(s)) return null;
  // Rewrite a dotted IPv4 tail as two hex groups so one code path handles every form.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let text = s;
  if (dotted) {
    const v4 = ipv4Bytes(dotted[2] as string);
    if (v4 === null) return null;
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    text = `${dotted[1]}${hex(v4[0] as number, v4[1] as number)}:${hex(v4[2] as number, v4[3] as number)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (p: string): number[] => (p === '' ? [] : p.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Parses an IP literal; an IPv6 zone (`%eth0`) is dropped. Returns null if not an address. */
export function parseIp(address: string): ParsedIp | null {
  const v4 = ipv4Bytes(address);
  if (v4 !== null) return { family: 4, bytes: v4 };
  const v6 = ipv6Bytes(address.replace(/%[^%]*$/, ''));
  return v6 === null ? null : { family: 6, bytes: v6 };
}

const isV4Mapped = (b: Uint8Array): boolean => b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/**
 * The address as policy should see it: IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how a dual-stack
 * listener reports IPv4 peers) becomes plain IPv4, so IPv4 rules apply to it.
 */
export function canonicalIp(address: string): ParsedIp | null {
  const ip = parseIp(address);
  if (ip === null || ip.family === 4 || !isV4Mapped(ip.bytes)) return ip;
  return { family: 4, bytes: ip.bytes.slice(12) };
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return [...ip.bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((ip.bytes[i] as number) << 8) | (ip.bytes[i + 1] as number)).toString(16));
  return groups.join(':');
}

/** True when every bit after `prefix` is zero (ssh-keygen refuses "10.0.0.5/8" the same way). */
export function hostBitsClear(ip: ParsedIp, prefix: number): boolean {
  for (let bit = prefix; bit < ip.bytes.length * 8; bit++) {
    if (((ip.bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}
