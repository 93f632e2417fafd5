import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LiteralFinder, type Literal } from './literals.js';

/** Every occurrence, overlapping ones too, the plain way. */
function naive(text: string, literals: readonly Literal[]): { anchors: Map<string, number[]>; stems: Map<string, number[]> } {
  const anchors = new Map<string, number[]>();
  const stems = new Map<string, number[]>();
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const l of literals) {
    const map = l.folded ? stems : anchors;
    const key = l.folded ? l.text.toLowerCase() : l.text;
    const hay = l.folded ? lower : text;
    for (let i = hay.indexOf(key); i >= 0; i = hay.indexOf(key, i + 1)) {
      const list = map.get(key) ?? [];
      if (!list.includes(i)) list.push(i);
      map.set(key, list);
    }
  }
  for (const m of [anchors, stems]) for (const list of m.values()) list.sort((a, b) => a - b);
  return { anchors, stems };
}

function found(f: LiteralFinder, text: string) {
  f.load(Buffer.from(text, 'latin1'));
  const r = f.find();
  if (r === undefined) throw new Error('overflow');
  return { anchors: new Map(r.anchors), stems: new Map(r.stems) };
}

const SHIPPED: Literal[] = [
  ...['-----BEGIN ', '"private_key"', '"private_key_id"', 'sig=', 'Q~', 'ghp_', 'github_pat_', 'glpat-', 'xox', '_live_', 'eyJ', '://', 'AKIA', '@'].map((text) => ({ text, folded: false })),
  ...['secret', 'session', 'accountkey', 'bearer', 'pass', 'pwd', 'token', 'api', 'private'].map((text) => ({ text, folded: true })),
];

describe('literal search (WebAssembly SIMD kernel)', () => {
  it('finds the shipped literals wherever they are, in either case for stems, and nothing else', () => {
    const f = new LiteralFinder(SHIPPED);
    const text = 'PASSWORD=x @ Api sig= Q~ ghp_ eyJ https:// -----BEGIN "private_key_id" AKIA akia tok TOKEN Bearer';
    expect(found(f, text)).toEqual(naive(text, SHIPPED));
    expect(found(f, 'the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ\n'.repeat(20))).toEqual({ anchors: new Map(), stems: new Map() });
  });

  it('finds a literal at every offset of a block, and ones cut by the end of the text', () => {
    const f = new LiteralFinder(SHIPPED);
    for (const l of SHIPPED) {
      for (let at = 0; at < 40; at += 1) {
        for (const after of [0, 1, 2, 17]) {
          const text = `${'.'.repeat(at)}${l.folded ? l.text.toUpperCase() : l.text}${'.'.repeat(after)}`;
          const got = found(f, text);
          if (JSON.stringify([...got.anchors, ...got.stems]) !== JSON.stringify([...naive(text, SHIPPED).anchors, ...naive(text, SHIPPED).stems])) {
            expect({ l, at, after, got }).toEqual({ l, at, after, got: naive(text, SHIPPED) });
          }
        }
        // Cut short: the literal's first bytes at the very end are not a hit.
        const cut = `${'.'.repeat(at)}${l.text.slice(0, -1)}`;
        expect(found(f, cut)).toEqual(naive(cut, SHIPPED));
      }
    }
  });

  it('agrees with a plain search for random literal sets and texts of up to 300 bytes (many blocks)', () => {
    const alphabet = fc.constantFrom(...'aAbB~_:=@-"Q01\n\x1b\xe9'.split(''));
    const literal = fc.record({ text: fc.string({ unit: alphabet, minLength: 1, maxLength: 6 }), folded: fc.boolean() });
    fc.assert(
      fc.property(fc.array(literal, { minLength: 1, maxLength: 30 }), fc.string({ unit: alphabet, maxLength: 300, size: 'max' }), (lits, text) => {
        const literals = lits.map((l) => ({ text: l.folded ? l.text.toLowerCase() : l.text, folded: l.folded }));
        const f = new LiteralFinder(literals);
        const want = naive(text, literals);
        f.load(Buffer.from(text, 'latin1'));
        const got = f.find();
        if (got === undefined) {
          // The documented way out: text denser than one hit per four bytes goes back to the
          // caller's own search. Anything sparser must be answered in full.
          const hits = [...want.anchors.values(), ...want.stems.values()].reduce((n, l) => n + l.length, 0);
          expect(hits).toBeGreaterThan(text.length / 4);
        } else {
          expect({ anchors: new Map(got.anchors), stems: new Map(got.stems) }).toEqual(want);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hands dense text back to the caller instead of failing, and keeps working after', () => {
    const f = new LiteralFinder([{ text: 'a', folded: false }, { text: 'A', folded: true }, { text: 'aa', folded: false }]);
    f.load(Buffer.from('a'.repeat(1000)));
    expect(f.find()).toBeUndefined();
    expect(found(f, 'xax')).toEqual(naive('xax', [{ text: 'a', folded: false }, { text: 'a', folded: true }, { text: 'aa', folded: false }]));
  });

  it('grows for large text, and serves text slices from what it loaded', () => {
    const f = new LiteralFinder(SHIPPED);
    const big = `${'x'.repeat(300_000)}token${'y'.repeat(300_000)}`;
    expect(found(f, big).stems.get('token')).toEqual([300_000]);
    f.load(Buffer.from('ctx|'), Buffer.from('text'));
    expect(f.length).toBe(8);
    expect(f.text(2, 6)).toBe('x|te');
    expect(f.at(3)).toBe(0x7c);
  });
});
