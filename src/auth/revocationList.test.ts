import { renameSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificateLine, type OpenSshCertificate } from '../ca/index.js';
import { KeygenWorkspace } from '../ca/testing/sshKeygen.js';
import type { AuthError } from './errors.js';
import { DenyList } from './denyList.js';
import { RevocationList } from './revocationList.js';

const ws = new KeygenWorkspace();
const lists: RevocationList[] = [];
afterAll(() => {
  lists.forEach((l) => l.close());
  ws.cleanup();
});

let alice: OpenSshCertificate;
let bob: OpenSshCertificate;
beforeAll(() => {
  ws.generateKey('ca', 'ed25519');
  ws.generateKey('u', 'ed25519');
  alice = parseCertificateLine(ws.certify({ ca: 'ca', key: 'u', identity: 'alice@example.com', serial: 11, principals: ['a'] }));
  bob = parseCertificateLine(ws.certify({ ca: 'ca', key: 'u', identity: 'bob@example.com', serial: 12, principals: ['b'] }));
});

function open(name: string, options: ConstructorParameters<typeof RevocationList>[1] = {}): { list: RevocationList; errors: AuthError[] } {
  const errors: AuthError[] = [];
  const list = new RevocationList(ws.path(name), { pollIntervalMs: 100, debounceMs: 20, onError: (e) => errors.push(e), ...options });
  lists.push(list);
  return { list, errors };
}

async function eventually(f: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('text deny list', () => {
  it('matches serial, key id and fingerprints; refuses unknown entries with file:line', () => {
    const l = DenyList.parse('# c\nserial: 11\n', 'f');
    expect(l.revocationReason(alice)).toMatch(/serial 11/);
    expect(l.revocationReason(bob)).toBeNull();
    expect(DenyList.parse('key-id:bob@example.com', 'f').revocationReason(bob)).toMatch(/key id/);
    expect(() => DenyList.parse('serial:11\nuser:alice', 'f')).toThrow(/f:2/);
    expect(() => DenyList.parse('serial:-1', 'f')).toThrow(/uint64/);
    expect(() => DenyList.parse('serial:18446744073709551616', 'f')).toThrow(/uint64/);
    expect(() => DenyList.parse('fingerprint:MD5:aa', 'f')).toThrow(/fingerprint/);
  });
});

describe('RevocationList', () => {
  it('fails closed when the file never loaded, then picks it up once it appears', async () => {
    const { list, errors } = open('late.txt');
    expect(list.check(alice)).toEqual({ revoked: true, reason: 'revocation list unreadable' });
    expect(errors[0]?.code).toBe('ERR_AUTH_REVOCATION_UNREADABLE');
    ws.write('late.txt', 'serial:12\n');
    await eventually(() => list.status.loaded);
    expect(list.check(alice)).toEqual({ revoked: false });
    expect(list.check(bob).revoked).toBe(true);
  });

  it('reloads on change (in place and by atomic rename)', async () => {
    ws.write('deny.txt', 'serial:11\n');
    const { list } = open('deny.txt');
    expect(list.check(alice).revoked).toBe(true);
    ws.write('deny.txt', 'key-id:bob@example.com\n');
    await eventually(() => !list.check(alice).revoked);
    expect(list.check(bob).revoked).toBe(true);
    ws.write('deny.tmp', '# empty now\n');
    renameSync(ws.path('deny.tmp'), ws.path('deny.txt'));
    await eventually(() => !list.check(bob).revoked);
  });

  it('keeps the previous list when a reload fails, and reports it', async () => {
    ws.write('keep.txt', 'serial:11\n');
    const { list, errors } = open('keep.txt');
    ws.write('keep.txt', 'serial:11\nnonsense\n');
    await eventually(() => errors.length > 0);
    expect(errors[0]?.code).toBe('ERR_AUTH_DENY_LIST_LINE');
    expect(list.check(alice).revoked).toBe(true);
    expect(list.status.lastError).toMatch(/keep.txt:2/);
    rmSync(ws.path('keep.txt'));
    await eventually(() => errors.length > 1);
    expect(list.check(alice).revoked).toBe(true);
  });

  it('detects a binary KRL and notices changes by polling alone', async () => {
    ws.makeKrl('list.krl', 'serial: 11\n', 'ca');
    const { list } = open('list.krl', { watch: false });
    expect(list.status.format).toBe('krl');
    expect(list.check(alice)).toEqual({ revoked: true, reason: 'serial 11 is revoked by the KRL' });
    ws.makeKrl('list.krl', 'serial: 12\nserial: 13\n', 'ca');
    await eventually(() => list.check(bob).revoked);
    expect(list.check(alice).revoked).toBe(false);
  });

  it('a corrupted KRL keeps the previous one', async () => {
    const good = ws.makeKrl('c.krl', 'serial: 11\n', 'ca');
    const { list, errors } = open('c.krl');
    ws.write('c.krl', good.subarray(0, good.length - 3));
    await eventually(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(/invalid revocation list/);
    expect(list.check(alice).revoked).toBe(true);
  });

  it('close() stops reloading', async () => {
    ws.write('closed.txt', 'serial:11\n');
    const { list } = open('closed.txt');
    list.close();
    ws.write('closed.txt', '');
    await new Promise((r) => setTimeout(r, 400));
    expect(list.check(alice).revoked).toBe(true);
  });
});
