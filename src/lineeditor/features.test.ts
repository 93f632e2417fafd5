import { describe, expect, it } from 'vitest';
import { LineEditor } from './editor.js';
import type { EditorEffect } from './effects.js';
import { LineEditorOptionsError } from './errors.js';
import { completionWord } from './completion.js';
import { checkScreen, makeRig, rowText } from './screen.testkit.js';
import type { Rig } from './screen.testkit.js';

const quotes = (t: string): boolean => (t.match(/'/g)?.length ?? 0) % 2 === 0;
const writes = (fx: EditorEffect[]): string => fx.map((e) => (e.type === 'write' ? e.data : '')).join('');

async function keys(rig: Rig, ...chunks: string[]): Promise<EditorEffect[]> {
  const all: EditorEffect[] = [];
  for (const c of chunks) {
    all.push(...(await rig.feed(c)));
    expect(checkScreen(rig)).toBeNull();
  }
  return all;
}

describe('bracketed paste', () => {
  it('inserts text with newlines literally, without submitting line by line', async () => {
    const rig = await makeRig({ columns: 30, isComplete: quotes });
    await keys(rig, 'x ', '\x1b[200~echo one\r\necho two\rrm -rf /\n\x1b[201~');
    expect(rig.submits).toEqual([]);
    expect(rig.editor.buffer).toBe('x echo one\necho two\nrm -rf /\n');
    await keys(rig, '\r');
    expect(rig.submits).toEqual(['x echo one\necho two\nrm -rf /\n']);
  });

  it('keeps tabs, drops other controls and escape bytes inside the paste', async () => {
    const rig = await makeRig({ columns: 40 });
    await keys(rig, '\x1b[200~a\tb\x03c\x1b[31md\x00\x7f\x1b[20x\x1b[201~');
    expect(rig.editor.buffer).toBe('a\tbc[31md[20x');
  });

  it('drops combining marks with nothing to attach to (after a tab or newline, at the start), keeps attached ones', async () => {
    // The case a property run found: Alt-e took the e of "é", leaving its accent after a tab at
    // the right margin, where xterm gave it a cell and the editor none.
    const rig = await makeRig({ columns: 9 });
    await keys(rig, '\x1b[200~\n\t\x1b[201~', '\x1b', 'e\u0301');
    expect(rig.editor.buffer).toBe('\n\t');
    await keys(rig, '\x1b[200~\u0301\u200dx\u0308\ty\u0301\x1b[201~', '\u0301');
    expect(rig.editor.buffer).toBe('\n\tx\u0308\ty\u0301\u0301'); // the typed accent attaches to ý
    const start = await makeRig({ columns: 20 });
    await keys(start, '\u0301', 'e\u0301');
    expect(start.editor.buffer).toBe('e\u0301');
    await start.apply(start.editor.restore('\u0301a\n\u0308b'));
    expect(start.editor.buffer).toBe('a\nb');
    expect(checkScreen(start)).toBeNull();
  });

  it('a paste split anywhere, terminator included, gives the same buffer', async () => {
    const bytes = new TextEncoder().encode('\x1b[200~中\r\nb\x1b[201~z');
    for (let cut = 1; cut < bytes.length; cut++) {
      const rig = await makeRig({ columns: 12 });
      await rig.feed(bytes.subarray(0, cut));
      await rig.feed(bytes.subarray(cut));
      expect(rig.editor.buffer).toBe('中\nbz');
      expect(checkScreen(rig)).toBeNull();
    }
  });

  it('prompt() turns bracketed paste mode on', async () => {
    const ed = new LineEditor({ columns: 80, isComplete: () => true });
    expect(writes(ed.prompt('$ '))).toContain('\x1b[?2004h');
  });
});

describe('history', () => {
  const history = ['ls -l', "echo 'a\nb'", 'git status'];

  it('↑/↓ walk history and come back to the draft', async () => {
    const rig = await makeRig({ columns: 30, history });
    await keys(rig, 'dra', '\x1b[A');
    expect(rig.editor.buffer).toBe('git status');
    await keys(rig, '\x1b[A');
    expect(rig.editor.buffer).toBe("echo 'a\nb'"); // multi-line entry recalled whole
    await keys(rig, '\x1b[A');
    expect(rig.editor.buffer).toBe("echo 'a\nb'"); // ↑ inside a multi-line entry moves a line up
    expect(rig.editor.cursor).toBe(0); // same screen column: left of the 11-cell prompt → start
    await keys(rig, '\x1b[A', '\x1b[A');
    expect(rig.editor.buffer).toBe('ls -l');
    const fx = await keys(rig, '\x1b[A');
    expect(fx.some((e) => e.type === 'bell')).toBe(true);
    await keys(rig, '\x1b[B', '\x1b[B', '\x1b[B', '\x1b[B');
    expect(rig.editor.buffer).toBe('dra');
  });

  it('Ctrl-P / Ctrl-N are ↑ / ↓; submitted lines join history, blank and repeats do not', async () => {
    const rig = await makeRig({ columns: 30, history: ['a'], historyLimit: 3 });
    await keys(rig, '\x10');
    expect(rig.editor.buffer).toBe('a');
    await keys(rig, '\x0e');
    expect(rig.editor.buffer).toBe('');
    for (const line of ['b', 'b', '  ', 'c', 'd']) {
      await rig.feed(`${line}\r`);
      await rig.apply(rig.editor.prompt('$ '));
    }
    expect(rig.editor.history).toEqual(['b', 'c', 'd']);
  });
});

describe('Ctrl-R reverse search', () => {
  const history = ['make build', 'kubectl get pods', 'make test', 'ls'];

  it('typing narrows, Ctrl-R again goes older, Enter accepts and submits', async () => {
    const rig = await makeRig({ columns: 40, history });
    await keys(rig, '\x12', 'ma');
    expect(rig.editor.search).toEqual({ query: 'ma', failed: false });
    expect(rig.editor.buffer).toBe('make test');
    await keys(rig, '\x12');
    expect(rig.editor.buffer).toBe('make build');
    await keys(rig, '\r');
    expect(rig.submits).toEqual(['make build']);
  });

  it('a failed search says so and keeps the last match', async () => {
    const rig = await makeRig({ columns: 60, history });
    await keys(rig, '\x12', 'kube', 'zz');
    expect(rig.editor.search).toEqual({ query: 'kubezz', failed: true });
    expect(rig.editor.buffer).toBe('kubectl get pods');
    expect(rowText(rig.term, rig.term.buffer.active.cursorY)).toContain('(failed reverse-i-search)`kubezz');
    await keys(rig, '\x7f', '\x7f');
    expect(rig.editor.search).toEqual({ query: 'kube', failed: false });
  });

  it('Esc, ← and → accept the match for editing; other keys accept and act', async () => {
    for (const k of ['\x1b\x1b', '\x1b[D', '\x1b[C']) {
      const rig = await makeRig({ columns: 40, history });
      await keys(rig, '\x12', 'pods', k);
      expect(rig.editor.mode).toBe('edit');
      expect(rig.editor.buffer).toBe('kubectl get pods');
      expect(rig.submits).toEqual([]);
    }
    const rig = await makeRig({ columns: 40, history });
    await keys(rig, '\x12', 'ls', '\x01', '#');
    expect(rig.editor.buffer).toBe('#ls');
  });

  it('Ctrl-G and Ctrl-C abort and restore the line being edited', async () => {
    for (const k of ['\x07', '\x03']) {
      const rig = await makeRig({ columns: 40, history });
      await keys(rig, 'echo x', '\x1b[D', '\x12', 'make');
      await keys(rig, k);
      expect(rig.editor.mode).toBe('edit');
      expect(rig.editor.buffer).toBe('echo x');
      expect(rig.editor.cursor).toBe(5);
    }
  });
});

describe('completion', () => {
  async function tab(rig: Rig, line: string, candidates: string[]): Promise<EditorEffect[]> {
    const fx = await keys(rig, line, '\t');
    const c = fx.find((e) => e.type === 'complete');
    expect(c).toEqual({ type: 'complete', text: rig.editor.buffer, cursor: rig.editor.cursor });
    const answer = rig.editor.completions(candidates);
    await rig.apply(answer);
    expect(checkScreen(rig)).toBeNull();
    return answer;
  }

  it('one candidate replaces the word and adds a space (not after a directory)', async () => {
    const rig = await makeRig({ columns: 40 });
    await tab(rig, 'cat /etc/pas', ['/etc/passwd']);
    expect(rig.editor.buffer).toBe('cat /etc/passwd ');
    const rig2 = await makeRig({ columns: 40 });
    await tab(rig2, 'cd sr', ['src/']);
    expect(rig2.editor.buffer).toBe('cd src/');
  });

  it('several candidates insert their common prefix, or are listed under the prompt', async () => {
    const rig = await makeRig({ columns: 40 });
    await tab(rig, 'git ch', ['checkout', 'cherry-pick']);
    expect(rig.editor.buffer).toBe('git che');
    const fx = await tab(rig, '', ['checkout', 'cherry-pick']);
    expect(writes(fx)).toContain('checkout');
    expect(rig.editor.buffer).toBe('git che');
  });

  it('no candidate rings the bell; a stale answer is ignored; unsafe names are never used', async () => {
    const rig = await makeRig({ columns: 40 });
    expect((await tab(rig, 'xyz', [])).map((e) => e.type)).toEqual(['bell']);
    await keys(rig, '\t', 'q');
    expect(rig.editor.completions(['xyzzy'])).toEqual([]);
    const rig2 = await makeRig({ columns: 40 });
    await tab(rig2, 'rm ev', ['evil\x1b[2J', 'ev\nil', 'ev\u202eil', 'evidence']);
    expect(rig2.editor.buffer).toBe('rm evidence ');
  });

  it('completionWord stops at shell word breaks', () => {
    expect(completionWord('ls >out.tx', 10)).toEqual({ start: 4, word: 'out.tx' });
    expect(completionWord('a=b c', 3)).toEqual({ start: 2, word: 'b' });
  });
});

describe('wrapping, wide characters and resize', () => {
  it('a wide character that does not fit moves to the next row', async () => {
    const rig = await makeRig({ columns: 14 }); // 11-cell prompt
    await keys(rig, 'ab中x');
    expect(rowText(rig.term, 0)).toBe('§me@box:~$ ab ');
    expect(rowText(rig.term, 1).trimEnd()).toBe('中x');
  });

  it('a row filled exactly puts the cursor on the next row', async () => {
    const rig = await makeRig({ columns: 14 });
    await keys(rig, 'abc');
    expect(rig.term.buffer.active.cursorY).toBe(1);
    expect(rig.term.buffer.active.cursorX).toBe(0);
    await keys(rig, '\x1b[D', '\x1b[C', 'd', '\x7f', '\x7f');
  });

  it('editing in the middle of a long wrapped line redraws correctly', async () => {
    const rig = await makeRig({ columns: 17 });
    await keys(rig, 'x'.repeat(60), '\x01', '\x1bf', '中', '\x1b[D', '\x1b[D', '😀', '\x17', '\x19', '\x19');
  });

  it('resize narrower and wider re-wraps the region', async () => {
    const rig = await makeRig({ columns: 30, isComplete: quotes });
    await keys(rig, "echo 'one two three\rfour 中文 five'", '\x1b[D');
    for (const c of [12, 7, 40, 2, 25]) {
      await rig.resize(c);
      expect(checkScreen(rig)).toBeNull();
    }
    expect(rig.editor.columns).toBe(25);
  });

  it('bad sizes from the client are clamped, never thrown', () => {
    const ed = new LineEditor({ columns: 0, isComplete: () => true });
    expect(ed.columns).toBe(80);
    ed.prompt('$ ');
    expect(() => ed.resize(Number.NaN)).not.toThrow();
    ed.resize(1);
    expect(ed.columns).toBe(2);
    ed.resize(1e9);
    expect(ed.columns).toBe(4096);
  });
});

describe('output from elsewhere while the prompt is up', () => {
  it('interject() prints above the prompt and redraws the line and cursor unchanged', async () => {
    const rig = await makeRig({ columns: 20, isComplete: quotes });
    await keys(rig, "echo 'a long line that wraps\rand continues", '\x1b[D', '\x1b[D');
    const before = { buffer: rig.editor.buffer, cursor: rig.editor.cursor };
    await rig.apply(rig.editor.interject('[1]+  Done  sleep 1\r\n'));
    await rig.apply(rig.editor.interject('no newline at the end'));
    expect(rig.editor.buffer).toBe(before.buffer);
    expect(rig.editor.cursor).toBe(before.cursor);
    expect(checkScreen(rig)).toBeNull();
    const rows = Array.from({ length: 24 }, (_, y) => rowText(rig.term, y));
    const done = rows.findIndex((r) => r.startsWith('[1]+  Done  sleep 1'));
    expect(done).toBeGreaterThanOrEqual(0);
    expect(rows[done + 1]).toBe('no newline at the en');
    expect(rows[done + 3]?.startsWith('§me@box:~$ ')).toBe(true);
    // Editing still lands where the screen shows it.
    await keys(rig, 'X');
    expect(checkScreen(rig)).toBeNull();
  });
});

describe('prompt, restore and limits', () => {
  it('restore() after a deny puts the line back for editing', async () => {
    const rig = await makeRig({ columns: 30, isComplete: quotes });
    await rig.feed("psql -c 'DROP\nTABLE users'\r");
    expect(rig.submits).toEqual(["psql -c 'DROP\nTABLE users'"]);
    await rig.apply(rig.editor.restore(rig.submits[0] ?? ''));
    expect(rig.editor.buffer).toBe("psql -c 'DROP\nTABLE users'");
    expect(rig.editor.cursor).toBe(rig.editor.buffer.length);
    expect(checkScreen(rig)).toBeNull();
    await keys(rig, '\x1b[A', '\x01', '# ');
    expect(rig.editor.buffer).toBe("# psql -c 'DROP\nTABLE users'");
  });

  it('restore() drops control characters from the text it is given', async () => {
    const rig = await makeRig({ columns: 30 });
    await rig.apply(rig.editor.restore('ls\x1b[2J\x07 -l'));
    expect(rig.editor.buffer).toBe('ls[2J -l');
  });

  it('a prompt keeps only colours, and resets them', () => {
    const ed = new LineEditor({ columns: 80, isComplete: () => true });
    const out = writes(ed.prompt('\x1b[32malice\x1b[0m:/tmp/\x1b[2J\x1b]0;x\x07evil\r\n$ '));
    expect(out).toContain('\x1b[32malice\x1b[0m:/tmp/');
    expect(out).not.toContain('\x1b[2J');
    expect(out).not.toContain('\x1b]');
    expect(out).toContain('evil$ \x1b[0m');
  });

  it('input beyond maxLength is dropped with a bell', async () => {
    const rig = await makeRig({ columns: 30, maxLength: 5 });
    const fx = await keys(rig, 'abc', '\x1b[200~defg\x1b[201~');
    expect(rig.editor.buffer).toBe('abcde');
    expect(fx.some((e) => e.type === 'bell')).toBe(true);
  });

  it('a 5,000-byte line is kept whole', async () => {
    const rig = await makeRig({ columns: 80 }, 200);
    const line = `echo ${'x'.repeat(4995)}`;
    await rig.feed(`\x1b[200~${line}\x1b[201~\r`);
    expect(rig.submits).toEqual([line]);
  });

  it('an isComplete that throws submits (the judge then fails closed)', async () => {
    const rig = await makeRig({
      columns: 30,
      isComplete: () => {
        throw new Error('parser down');
      },
    });
    await rig.feed('ls\r');
    expect(rig.submits).toEqual(['ls']);
  });

  it('bad options throw ERR_LINEEDITOR_OPTIONS', () => {
    const bad = () => new LineEditor({ columns: 80, isComplete: () => true, historyLimit: -1 });
    expect(bad).toThrow(LineEditorOptionsError);
    try {
      bad();
    } catch (e) {
      expect((e as LineEditorOptionsError).code).toBe('ERR_LINEEDITOR_OPTIONS');
    }
  });

  it('feed() while idle only queues; takeTypeahead() hands the bytes over', () => {
    const ed = new LineEditor({ columns: 80, isComplete: () => true, maxTypeahead: 4 });
    expect(ed.feed('rm -rf /\r')).toEqual([]);
    expect(new TextDecoder().decode(ed.takeTypeahead())).toBe('rm -');
    ed.prompt('$ ');
    expect(ed.buffer).toBe('');
  });
});
