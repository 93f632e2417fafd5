import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineEditor } from './editor.js';
import type { EditorEffect } from './effects.js';
import { PROMPT, checkScreen, expectScreen, makeRig, rowCells } from './screen.testkit.js';
import type { Rig } from './screen.testkit.js';
import { isPrintableText } from './text.js';

// Text whose width every terminal agrees on (see the known limits for the rest).
const SAFE_UNITS = [
  ...'abcxyz019 -_./$|&;\'">=(){}', 'é', 'e\u0301', 'a\u0308\u0301', '中', '文', '한', '😀', '🎉', 'Ａ', 'ß',
];
const safeText = fc.string({ unit: fc.constantFrom(...SAFE_UNITS), maxLength: 12 });
const controls = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));
const KNOWN_SEQ = [
  '\x1b[D', '\x1b[C', '\x1b[A', '\x1b[B', '\x1b[H', '\x1b[F', '\x1bOH', '\x1bOF', '\x1b[1~', '\x1b[4~',
  '\x1b[7~', '\x1b[8~', '\x1b[3~', '\x1bb', '\x1bf', '\x1bd', '\x1b\x7f', '\x1b[1;3D', '\x1b[1;3C',
  '\x1b[1;5D', '\x1bOA', '\x7f', '\x08', '\x12', '\x1b', '\x07', '\x03', '\x19', '\x17', '\x15', '\x0b',
  '\x0c', '\r', '\t', '\x04',
];
const randomCsi = fc
  .tuple(fc.string({ unit: fc.constantFrom(...'0123456789;?<'), maxLength: 6 }), fc.integer({ min: 0x40, max: 0x7e }))
  .map(([p, f]) => `\x1b[${p}${String.fromCharCode(f)}`);
const pasteBody = fc.string({
  unit: fc.oneof(fc.constantFrom(...SAFE_UNITS, '\n', '\r\n', '\r', '\t', '\x1b', '\x1b[20', '\x00', '\x03'), controls),
  maxLength: 20,
});
const paste = pasteBody.map((s) => `\x1b[200~${s}\x1b[201~`);

const keyAtom = fc.oneof(
  { weight: 5, arbitrary: safeText },
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_SEQ) },
  { weight: 1, arbitrary: controls },
  { weight: 1, arbitrary: randomCsi },
  { weight: 1, arbitrary: paste },
);

type Op =
  | { kind: 'keys'; bytes: Uint8Array; cuts: number[] }
  | { kind: 'resize'; columns: number }
  | { kind: 'answer'; candidates: string[] };

const enc = new TextEncoder();
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(fc.array(keyAtom, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }))
      .map(([atoms, cuts]) => ({ kind: 'keys' as const, bytes: enc.encode(atoms.join('')), cuts })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 60 }).map((columns) => ({ kind: 'resize' as const, columns })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom('abc', 'abd', 'abc/', '中文', 'x y', 'bad\x1bname', 'new\nline'), { maxLength: 3 })
      .map((candidates) => ({ kind: 'answer' as const, candidates })),
  },
);

const quotesBalanced = (t: string): boolean => (t.match(/'/g)?.length ?? 0) % 2 === 0;

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    if (c > prev) out.push(bytes.subarray(prev, c));
    prev = Math.max(prev, c);
  }
  return out;
}

/** Right after a submit, the region just above the cursor still shows prompt + submitted text. */
function regionShows(rig: Rig, text: string): string | null {
  const { term } = rig;
  const b = term.buffer.active;
  const exp = expectScreen(PROMPT, text, text.length, term.cols);
  const start = b.baseY + b.cursorY - (exp.cursor.row + 1);
  for (let i = 0; i < exp.rows.length; i++) {
    const got = rowCells(term, start + i);
    const want = exp.rows[i] ?? [];
    if (got.join('\u0000') !== want.join('\u0000')) return `row ${i} differs at submit of ${JSON.stringify(text)}`;
  }
  return null;
}

/** Apply effects one by one; at a submit, the screen must show exactly the submitted text. */
async function applyChecked(rig: Rig, fx: EditorEffect[]): Promise<void> {
  for (const e of fx) {
    await rig.apply([e]);
    if (e.type === 'submit') expect(regionShows(rig, e.text)).toBeNull();
  }
}

async function runOps(ops: Op[], columns: number, reflow: boolean): Promise<void> {
  const rig = await makeRig(
    { columns, isComplete: quotesBalanced, history: ['ls -l', "echo 'a\nb'", 'git status'] },
    200,
    reflow,
  );
  const ed = rig.editor;
  let answered = 0;
  for (const o of ops) {
    if (o.kind === 'resize') {
      if (!reflow) continue;
      await rig.resize(o.columns);
    } else if (o.kind === 'answer') {
      await rig.apply(ed.completions(o.candidates));
      answered++;
    } else {
      for (const chunk of split(o.bytes, o.cuts)) {
        await applyChecked(rig, ed.feed(chunk));
        if (ed.mode === 'idle') {
          const restore = (rig.submits.length + answered) % 3 === 0 && rig.submits.length > 0;
          await rig.apply(restore ? ed.restore(rig.submits[rig.submits.length - 1] ?? '') : ed.prompt(PROMPT));
        }
        expect(checkScreen(rig)).toBeNull();
        expect(isPrintableText(ed.buffer)).toBe(true);
        expect(ed.internalErrors).toBe(0);
      }
    }
    expect(checkScreen(rig)).toBeNull();
  }
}

describe('line editor properties (xterm oracle)', () => {
  it('screen shows exactly the buffer and the cursor after every chunk, any keys, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.integer({ min: 2, max: 60 }), async (ops, cols) => {
        await runOps(ops, cols, true);
      }),
      { numRuns: 300 },
    );
  });

  it('without resizes, a non-reflowing terminal shows the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.integer({ min: 2, max: 60 }), async (ops, cols) => {
        await runOps(ops, cols, false);
      }),
      { numRuns: 100 },
    );
  });
});
