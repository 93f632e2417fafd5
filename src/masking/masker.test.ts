/**
 * The streaming masker on every sample: split at every byte offset across two chunks, with
 * colour escapes inside the secret, in terminal and tag modes; lookalikes; flush behaviour;
 * UTF-8 split across chunks; fail-closed on an internal fault.
 */
import { describe, expect, it } from 'vitest';
import type { Detector } from './detector.js';
import { createMasker, createMaskerWith, DETECTOR_IDS, resolveDetectors } from './index.js';
import { LOOKALIKES, SAMPLES } from './samples.testkit.js';

const BEFORE = 'out: \x1b[1mstatus\x1b[0m ok\r\n> ';
const AFTER = ' done\r\n$ ';
const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function run(ids: string[], terminal: boolean, chunks: Buffer[]): Buffer {
  const m = createMasker({ detectors: ids, terminal });
  const out = chunks.map((c) => Buffer.from(m.push(c)));
  out.push(Buffer.from(m.flush()));
  expect(m.held).toBe(0);
  expect(m.stats.faults).toBe(0);
  return Buffer.concat(out);
}

/** Colour codes inside the secret text: after its 3rd character and before its last 4. */
function coloured(text: string): string {
  return `${text.slice(0, 3)}\x1b[31m${text.slice(3, -4)}\x1b[0;1m${text.slice(-4)}`;
}

/** A window-title OSC (BEL-terminated) and a charset switch in the middle of the secret. */
function osc(text: string): string {
  const mid = text.length >> 1;
  return `${text.slice(0, mid)}\x1b]0;build: 42%\x07\x1b(B${text.slice(mid)}`;
}

const VARIANTS = { plain: (t: string) => t, coloured, osc } as const;

function expectMasked(out: string, parts: readonly string[]): void {
  for (const p of parts) {
    expect(out).not.toContain(p);
    expect(strip(out)).not.toContain(p);
  }
}

describe.each([true, false])('terminal=%s', (terminal) => {
  describe.each(SAMPLES.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    for (const variant of ['plain', 'coloured', 'osc'] as const) {
      it(`${variant}: masked at every two-chunk split, surrounding text unchanged`, () => {
        const text = BEFORE + VARIANTS[variant](sample.text) + AFTER;
        const bytes = Buffer.from(text, 'latin1');
        const whole = run([sample.id], terminal, [bytes]).toString('latin1');
        expectMasked(whole, sample.parts);
        expect(whole.startsWith(BEFORE)).toBe(true);
        expect(whole.endsWith(AFTER)).toBe(true);
        if (terminal) {
          expect(whole.length).toBe(text.length);
          if (variant === 'coloured') expect(whole).toContain('\x1b[31m');
          if (variant === 'osc') expect(whole).toContain('\x1b]0;build: 42%\x07\x1b(B');
        }
        for (let cut = 1; cut < bytes.length; cut++) {
          const split = run([sample.id], terminal, [bytes.subarray(0, cut), bytes.subarray(cut)]).toString('latin1');
          if (split !== whole) expect({ cut, split }).toEqual({ cut, split: whole });
        }
      });
    }
  });
});

describe('lookalikes', () => {
  it.each(LOOKALIKES.map((l) => [l]))('%j passes unchanged with every detector on', (text) => {
    const line = `${BEFORE}${text}${AFTER}`;
    expect(run(['all'], true, [Buffer.from(line)]).toString()).toBe(line);
  });

  it("masks AWS's documented example key id AKIAIOSFODNN7EXAMPLE (no allow-list: see docs)", () => {
    expect(run(['cloud-keys'], true, [Buffer.from('id AKIAIOSFODNN7EXAMPLE.')]).toString()).toBe(`id ${'*'.repeat(20)}.`);
  });

  it('masks password values however weak, generic keys only when random-looking', () => {
    const out = run(['assignments'], true, [Buffer.from('password=changeme token=Zq8xL2mW9vR4 token=hello\n')]).toString();
    expect(out).toBe('password=******** token=************ token=hello\n');
  });
});

describe('holding and flushing', () => {
  it('never holds text that cannot start a match', () => {
    const m = createMasker({ detectors: ['all'], terminal: true });
    const prompt = Buffer.from('\x1b[32malice@prod-db\x1b[0m:~$ ');
    expect(Buffer.from(m.push(prompt)).toString()).toBe(prompt.toString());
    expect(m.held).toBe(0);
  });

  it.each([['$ '], ['# '], ['alice@prod-db:~$ '], ['mysql> '], ['postgres=# '], ['[sudo] password for alice: '], ['\x1b[1;32m➜\x1b[0m ']])(
    'emits the prompt %j at once with every detector on',
    (prompt) => {
      const m = createMasker({ detectors: ['all'], terminal: true });
      expect(Buffer.from(m.push(Buffer.from(prompt))).toString()).toBe(prompt);
      expect(m.held).toBe(0);
    },
  );

  it('holds a `Password: ` prompt (a value may follow) only until flush(), then shows it as is', () => {
    const m = createMasker({ detectors: ['all'], terminal: true });
    expect(m.push(Buffer.from('Password: ')).length).toBe(0);
    expect(Buffer.from(m.flush()).toString()).toBe('Password: ');
  });

  it('a flush inside an escape sequence does not turn the rest of the sequence into text', () => {
    const m = createMasker({ detectors: ['tokens'], terminal: true });
    const tok = `glpat-${'Ab3-x'.repeat(5)}`;
    const out = [m.push(Buffer.from('ok \x1b')), m.flush(), m.push(Buffer.from(`[33m${tok} \n`)), m.flush()];
    expect(Buffer.concat(out.map((o) => Buffer.from(o))).toString()).toBe(`ok \x1b[33m${'*'.repeat(tok.length)} \n`);
  });

  it('holds a possible start until flush() releases it', () => {
    const m = createMasker({ detectors: ['emails'], terminal: true });
    expect(Buffer.from(m.push(Buffer.from('mail bob'))).toString()).toBe('mail ');
    expect(m.held).toBe(3);
    expect(Buffer.from(m.flush()).toString()).toBe('bob');
    expect(m.held).toBe(0);
    expect(Buffer.from(m.push(Buffer.from(' sent\n'))).toString()).toBe(' sent\n');
  });

  it('releases a distinctive partial masked at flush, and keeps its continuation masked', () => {
    const m = createMasker({ detectors: ['tokens'], terminal: true });
    const tok = `ghp_${'Ab3'.repeat(12)}`;
    expect(m.push(Buffer.from(`x ${tok.slice(0, 20)}`)).length).toBe(2);
    const flushed = Buffer.from(m.flush()).toString();
    expect(flushed).toBe('*'.repeat(20));
    expect(Buffer.from(m.push(Buffer.from(`${tok.slice(20)} ok\n`))).toString()).toBe(`${'*'.repeat(tok.length - 20)} ok\n`);
  });

  it('masks a private key whose END line arrives many chunks later, streaming it out masked', () => {
    const m = createMasker({ detectors: ['private-keys'], terminal: true });
    let out = Buffer.from(m.push(Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\n')));
    for (let i = 0; i < 200; i++) {
      out = Buffer.concat([out, m.push(Buffer.from('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn\n'))]);
      expect(m.held).toBe(0);
    }
    out = Buffer.concat([out, m.push(Buffer.from('-----END OPENSSH PRIVATE KEY-----\nafter\n'))]);
    const s = out.toString();
    expect(s).not.toContain('b3Blbn');
    expect(s.endsWith('\nafter\n')).toBe(true);
    expect(s.split('\n').slice(0, -2).every((l) => /^[* ]*$/.test(l))).toBe(true);
  });

  it('gives up an unterminated block after its cap, masking everything up to it', () => {
    const m = createMasker({ detectors: ['private-keys'], terminal: true });
    let out = Buffer.from(m.push(Buffer.from('-----BEGIN RSA PRIVATE KEY-----\n')));
    const line = Buffer.from(`${'A'.repeat(63)}\n`);
    for (let i = 0; i < 1100; i++) out = Buffer.concat([out, m.push(line)]);
    const s = out.toString();
    expect(s.slice(0, 64 * 1024)).not.toContain('AAAA');
    expect(s.slice(-64)).toContain('AAAA');
  });
});

describe('bytes', () => {
  it('keeps UTF-8 characters split across chunks intact', () => {
    const text = Buffer.from(`héllo 中文 😀 ghp_${'x1Y'.repeat(12)} ß\n`);
    const whole = run(['all'], true, [text]);
    expect(whole.toString()).toMatch(/^héllo 中文 😀 \*+ ß\n$/);
    for (let cut = 1; cut < text.length; cut++) {
      expect(run(['all'], true, [text.subarray(0, cut), text.subarray(cut)]).equals(whole)).toBe(true);
    }
  });

  it('passes output through untouched with no detectors', () => {
    const m = createMasker({ detectors: [], terminal: true });
    const b = Buffer.from(`ghp_${'x1Y'.repeat(12)}`);
    expect(Buffer.from(m.push(b)).equals(b)).toBe(true);
    expect(m.held).toBe(0);
  });

  it('fails closed on an internal fault: held text comes out masked, never in clear', () => {
    let calls = 0;
    const broken: Detector = {
      id: 'broken',
      rule: 'broken',
      maxLength: 10,
      partial: /x+$/,
      find() {
        if (++calls > 1) throw new Error('boom');
      },
    };
    const m = createMaskerWith([broken], true);
    expect(Buffer.from(m.push(Buffer.from('abc xx'))).toString()).toBe('abc ');
    expect(Buffer.from(m.push(Buffer.from('x secret\x1b[0m'))).toString()).toBe('*** *********'); // ESC dropped, '[0m' starred: fail closed beats looks
    expect(m.stats.faults).toBe(1);
    const t = createMaskerWith([broken], false);
    calls = 5;
    expect(Buffer.from(t.push(Buffer.from('secret'))).toString()).toBe('[masked:error]');
  });
});

describe('masked output', () => {
  it('masking it again changes nothing, even where a `;`-ended password value now spans a tag', () => {
    const pem = SAMPLES.find((x) => x.text.includes('BEGIN RSA PRIVATE KEY'))?.text ?? '';
    expect(pem).not.toBe('');
    const mask = (b: Buffer) => {
      const m = createMasker({ detectors: ['all'], terminal: false });
      return Buffer.concat([Buffer.from(m.push(b)), Buffer.from(m.flush())]).toString();
    };
    // Masked-only and variable-reference values are both placeholders: neither may turn into a
    // secret once the key between them and the `;` has become a one-line tag.
    for (const value of ['********', '$DB_PASSWORD', '${DB_PASSWORD}']) {
      const once = mask(Buffer.from(`password=${value} ${pem} ; `));
      expect(once).toContain(`password=${value} [masked:private-keys]`);
      expect(mask(Buffer.from(once))).toBe(once);
    }
  });
  it('a `;`-ended password value with spaces is still masked whole when no tag is inside it', () => {
    const m = createMasker({ detectors: ['secrets'], terminal: false });
    const out = Buffer.concat([Buffer.from(m.push(Buffer.from('Server=db;Password=correct horse battery;Encrypt=true'))), Buffer.from(m.flush())]).toString();
    expect(out).toBe('Server=db;Password=[masked:connection-strings];Encrypt=true');
  });
});

describe('write()', () => {
  it('emits held bytes and a view of the new chunk without copying it, when the text holds no literal', () => {
    const m = createMasker({ detectors: ['secrets'], terminal: false });
    const pieces: Uint8Array[] = [];
    m.write(Buffer.from('plain output, then pa'), (p) => pieces.push(p));
    expect(m.held).toBe(2); // `pa` may start `password`
    const chunk = Buffer.from('ges printed\r\n');
    m.write(chunk, (p) => pieces.push(p));
    expect(Buffer.concat(pieces).toString()).toBe('plain output, then pages printed\r\n');
    expect(m.held).toBe(0);
    const last = pieces.at(-1);
    expect(last?.buffer).toBe(chunk.buffer);
  });

  it('masks across the two paths: a secret completed by a chunk after quiet ones', () => {
    const m = createMasker({ detectors: ['secrets'], terminal: false });
    const out: Uint8Array[] = [];
    for (const c of ['build ok\r\ntoken for gh', 'p_ is ', 'ghp_', 'A'.repeat(36), '\r\n']) m.write(Buffer.from(c), (p) => out.push(p));
    out.push(m.flush());
    const text = Buffer.concat(out).toString();
    expect(text).not.toContain('A'.repeat(20));
    expect(text).toContain('[masked:');
  });

  it('fails closed on a fault in the quiet path: the held bytes and the chunk come out masked', () => {
    let calls = 0;
    const trailing = /x+$/;
    const broken: Detector = {
      id: 'broken',
      rule: 'broken',
      maxLength: 10,
      anchors: ['zz'],
      partial: {
        exec(s: string) {
          if (++calls > 1) throw new Error('boom');
          return trailing.exec(s);
        },
      } as unknown as RegExp,
      find() {},
    };
    const m = createMaskerWith([broken], true);
    const out: string[] = [];
    m.write(Buffer.from('abc xx'), (p) => out.push(Buffer.from(p).toString()));
    expect(out).toEqual(['abc ']);
    m.write(Buffer.from('x secret'), (p) => out.push(Buffer.from(p).toString()));
    expect(out).toEqual(['abc ', '*** ******']);
    expect(m.stats.faults).toBe(1);
    expect(m.held).toBe(0);
  });
});

describe('detector ids', () => {
  it('resolves groups and fails closed on an unknown id', () => {
    expect(resolveDetectors(['pii']).ids).toEqual(['emails', 'payment-cards', 'ibans']);
    expect(resolveDetectors(['Private-Keys, tokens']).ids).toEqual(['private-keys', 'tokens']);
    const typo = resolveDetectors(['privat-keys']);
    expect(typo.unknown).toEqual(['privat-keys']);
    expect(typo.ids).toEqual(DETECTOR_IDS);
  });
});
