import { afterAll, describe, expect, it } from 'vitest';
import { KeygenWorkspace, runSshKeygen } from '../ca/testing/sshKeygen.js';
import { loadTrustedCas, parseTrustedCas } from './trustedCa.js';

const ws = new KeygenWorkspace();
afterAll(() => ws.cleanup());

const errorOf = async (p: Promise<unknown>): Promise<{ code?: string; message: string }> => {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
};

describe('trusted CA files', () => {
  it('loads one or more keys per file, skipping comments and blanks', async () => {
    const a = ws.generateKey('ca-a', 'ed25519');
    const b = ws.generateKey('ca-b', 'rsa');
    const c = ws.generateKey('ca-c', 'ecdsa-521');
    const f1 = ws.write('cas1', `# production CAs\n\n${a}\n  ${b}  \n`);
    const f2 = ws.write('cas2', `${c}\n`);
    const cas = await loadTrustedCas([f1, f2]);
    expect(cas.map((x) => x.comment)).toEqual(['ca-a', 'ca-b', 'ca-c']);
    expect(cas.map((x) => x.origin)).toEqual([`${f1}:3`, `${f1}:4`, `${f2}:1`]);
    const expected = runSshKeygen(['-l', '-E', 'sha256', '-f', ws.path('ca-b.pub')]).stdout.split(' ')[1];
    expect(cas[1]!.fingerprint).toBe(expected);
  });

  it('names the file and line of a bad line', async () => {
    const a = ws.generateKey('ca-d', 'ed25519');
    const f = ws.write('bad', `${a}\nssh-ed25519 AAAAnotakey\n`);
    const e = await errorOf(loadTrustedCas([f]));
    expect(e.code).toBe('ERR_AUTH_TRUSTED_CA_LINE');
    expect(e.message).toContain(`${f}:2`);
  });

  it('refuses certificates and options-prefixed lines as CA keys', () => {
    ws.generateKey('ca-e', 'ed25519');
    ws.generateKey('u', 'ed25519');
    const cert = ws.certify({ ca: 'ca-e', key: 'u', identity: 'x', principals: ['x'] });
    expect(() => parseTrustedCas(cert, 'f')).toThrow(/f:1/);
    expect(() => parseTrustedCas(`cert-authority ${ws.generateKey('ca-f', 'ed25519')}`, 'g')).toThrow(/g:1/);
  });

  it('refuses a missing file and a file without keys', async () => {
    expect((await errorOf(loadTrustedCas([ws.path('nope')]))).code).toBe('ERR_AUTH_TRUSTED_CA_FILE');
    expect((await errorOf(loadTrustedCas([ws.write('empty', '# nothing\n')]))).code).toBe('ERR_AUTH_TRUSTED_CA_FILE');
  });
});
