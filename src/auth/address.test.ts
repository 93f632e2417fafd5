import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIp, hostBitsClear, parseIp } from './address.js';
import { parseSourceAddressList } from './certOptions.js';

describe('IP parsing', () => {
  it('expands IPv6 forms and maps IPv4-mapped addresses to IPv4', () => {
    const f = (a: string) => {
      const ip = canonicalIp(a);
      return ip === null ? null : formatIp(ip);
    };
    expect(f('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(f('2001:db8::1')).toBe('2001:db8:0:0:0:0:0:1');
    expect(f('1::1.2.3.4')).toBe('1:0:0:0:0:0:102:304');
    expect(f('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(f('::ffff:a01:203')).toBe('10.1.2.3');
    expect(f('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
    expect(f('10.0.0.1')).toBe('10.0.0.1');
    for (const bad of ['x', '1:2:3:4:5:6:7:8:9', '256.0.0.1', '', '1.2.3']) expect(f(bad)).toBeNull();
    expect(parseIp('::ffff:10.1.2.3')?.family).toBe(6);
  });

  it('checks host bits', () => {
    expect(hostBitsClear(parseIp('10.0.0.0')!, 8)).toBe(true);
    expect(hostBitsClear(parseIp('10.0.0.5')!, 8)).toBe(false);
    expect(hostBitsClear(parseIp('10.0.0.5')!, 32)).toBe(true);
    expect(hostBitsClear(parseIp('2001:db8::')!, 32)).toBe(true);
    expect(hostBitsClear(parseIp('2001:db8::1')!, 64)).toBe(false);
  });
});

describe('source-address lists', () => {
  it('accepts what ssh-keygen accepts', () => {
    expect(parseSourceAddressList('10.0.0.0/8,::1,2001:db8::/32,192.0.2.1/32,0.0.0.0/0')?.entries.length).toBe(5);
  });
  it('refuses blanks, spaces, host bits, bad prefixes, zones and names', () => {
    for (const bad of ['', '10.0.0.0/8,', ' 10.0.0.1', '10.0.0.5/8', '10.0.0.0/33', '::/129', 'fe80::1%eth0', 'localhost', '10.0.0.0/08x', '*']) {
      expect({ bad, parsed: parseSourceAddressList(bad) }).toEqual({ bad, parsed: null });
    }
  });
});
