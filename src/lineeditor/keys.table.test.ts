import { describe, expect, it } from 'vitest';
import { checkScreen, makeRig } from './screen.testkit.js';
import type { Rig } from './screen.testkit.js';

/** Feed each chunk, checking the xterm screen after every one; return "buffer with ‸ at cursor". */
async function typed(rig: Rig, ...chunks: (string | Uint8Array)[]): Promise<string> {
  for (const c of chunks) {
    await rig.feed(c);
    expect(checkScreen(rig)).toBeNull();
  }
  const { buffer, cursor } = rig.editor;
  return `${buffer.slice(0, cursor)}‸${buffer.slice(cursor)}`;
}

const L = '\x1b[D';
const R = '\x1b[C';

const TABLE: [string, (string | Uint8Array)[], string][] = [
  ['printable text', ['echo hi'], 'echo hi‸'],
  ['left and right arrows', ['abc', L, L, R], 'ab‸c'],
  ['left at start stays', ['a', L, L, L], '‸a'],
  ['Home \\e[H / End \\e[F', ['abc', '\x1b[H', 'X', '\x1b[F', 'Y'], 'XabcY‸'],
  ['Home \\eOH / End \\eOF', ['abc', '\x1bOH', 'X', '\x1bOF'], 'Xabc‸'],
  ['Home \\e[1~ / End \\e[4~', ['abc', '\x1b[1~', 'X', '\x1b[4~'], 'Xabc‸'],
  ['Home \\e[7~ / End \\e[8~', ['abc', '\x1b[7~', 'X', '\x1b[8~'], 'Xabc‸'],
  ['Backspace 0x7f', ['abc', '\x7f'], 'ab‸'],
  ['Backspace 0x08', ['abc', L, '\x08'], 'a‸c'],
  ['Delete \\e[3~', ['abc', '\x1b[H', '\x1b[3~'], '‸bc'],
  ['Ctrl-A / Ctrl-E', ['abc', '\x01', 'X', '\x05', 'Y'], 'XabcY‸'],
  ['Ctrl-B / Ctrl-F', ['abc', '\x02', '\x02', '\x06'], 'ab‸c'],
  ['Ctrl-U kills to start', ['echo abc', L, L, '\x15'], '‸bc'],
  ['Ctrl-K kills to end', ['echo abc', L, L, '\x0b'], 'echo a‸'],
  ['Ctrl-W kills a word back', ['git commit -m', '\x17'], 'git commit ‸'],
  ['Ctrl-W over trailing spaces', ['rm -rf  /tmp/x  ', '\x17'], 'rm -rf  ‸'],
  ['Ctrl-Y yanks the last kill', ['one two', '\x17', '\x01', '\x19'], 'two‸one '],
  ['Alt-B / Alt-F (\\eb \\ef)', ['foo bar-baz', '\x1bb', '\x1bb', 'X', '\x1bf'], 'foo Xbar‸-baz'],
  ['Alt-B / Alt-F (\\e[1;3D \\e[1;3C)', ['foo bar', '\x1b[1;3D', 'X', '\x1b[1;3C'], 'foo Xbar‸'],
  ['Alt-D kills a word forward', ['foo bar baz', '\x01', '\x1bf', '\x1bd'], 'foo‸ baz'],
  ['Alt-Backspace kills a word back', ['foo bar.baz', '\x1b\x7f'], 'foo bar.‸'],
  ['Ctrl-D deletes under the cursor', ['abc', '\x01', '\x04'], '‸bc'],
  ['Ctrl-V, ^@, ^Z, ^S are not inserted', ['a', '\x16', '\x00', '\x1a', '\x13', 'b'], 'ab‸'],
  ['unknown CSI consumed whole', ['a', '\x1b[15~', '\x1b[?1;2c', '\x1b[99;99X', 'b'], 'ab‸'],
  ['OSC consumed whole', ['a', '\x1b]0;evil\x07', '\x1b]2;x\x1b\\', 'b'], 'ab‸'],
  ['an unterminated OSC ends at a control key', ['a', '\x1b]xy', '\x7f', 'b'], 'b‸'],
  ['unknown Alt-key ignored', ['a', '\x1bx', 'b'], 'ab‸'],
  ['CSI split across feeds', ['ab', '\x1b', '[', 'D', 'X'], 'aX‸b'],
  ['UTF-8 split across feeds', [new Uint8Array([0xe4]), new Uint8Array([0xb8]), new Uint8Array([0xad]), 'x'], '中x‸'],
  ['4-byte UTF-8 split', [new Uint8Array([0xf0, 0x9f]), new Uint8Array([0x98, 0x80])], '😀‸'],
  ['invalid UTF-8 dropped', [new Uint8Array([0x61, 0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x62])], 'ab‸'],
  ['C1 controls and bidi overrides dropped', ['a\u009b2J\u202eb\u200bc'], 'a2Jbc‸'],
  ['CJK editing by cluster', ['中文字', L, '\x7f'], '中‸字'],
  ['emoji deleted whole', ['a😀b', L, '\x7f'], 'a‸b'],
  ['combining mark deleted with its base', ['xe\u0301y', L, '\x7f'], 'x‸y'],
  ['cursor steps over a cluster', ['e\u0301e\u0301', L], 'e\u0301‸e\u0301'],
  ['Ctrl-K at line end joins the next line', ["echo 'a", '\r', "b'", '\x1b[A', '\x05', '\x0b'], "echo 'a‸b'"],
  ['Backspace at continuation start joins lines', ["echo 'a", '\r', '\x7f'], "echo 'a‸"],
  ['Enter with an open quote continues', ["echo 'a", '\r', "b"], "echo 'a\nb‸"],
  ['Enter in mid-line appends the newline at the end', ["echo 'ab", L, '\r'], "echo 'ab\n‸"],
];

describe('keys (table)', () => {
  for (const [name, chunks, want] of TABLE) {
    it(name, async () => {
      const rig = await makeRig({ columns: 30, isComplete: (t) => (t.match(/'/g)?.length ?? 0) % 2 === 0 });
      expect(await typed(rig, ...chunks)).toBe(want);
    });
  }

  it('Enter submits exactly the buffer and turns bracketed paste off', async () => {
    const rig = await makeRig({ columns: 30 });
    await typed(rig, 'ls -la', L, L, 'X');
    const fx = await rig.feed('\r');
    expect(fx.filter((e) => e.type === 'submit')).toEqual([{ type: 'submit', text: 'ls -Xla' }]);
    expect(fx.some((e) => e.type === 'write' && e.data.includes('\x1b[?2004l'))).toBe(true);
    expect(rig.editor.mode).toBe('idle');
    expect(rig.editor.history).toEqual(['ls -Xla']);
  });

  it('typing at the end of the line echoes just the character', async () => {
    const rig = await makeRig({ columns: 30 });
    await typed(rig, 'ab');
    expect(await rig.feed('c')).toEqual([{ type: 'write', data: 'c' }]);
    expect(await rig.feed('中')).toEqual([{ type: 'write', data: '中' }]);
    await typed(rig, 'e');
    // A combining mark joins the previous cluster, which must be redrawn with it.
    const fx = await rig.feed('\u0301');
    expect(fx.length === 1 && fx[0]?.type === 'write' && fx[0].data.includes('e\u0301')).toBe(true);
    expect(checkScreen(rig)).toBeNull();
  });

  it('CR LF from the client is one Enter; LF alone is Enter too', async () => {
    const rig = await makeRig({ columns: 30 });
    await rig.feed('a\r\n');
    await rig.apply(rig.editor.prompt('$ '));
    await rig.feed('b\n');
    expect(rig.submits).toEqual(['a', 'b']);
    expect(rig.editor.takeTypeahead()).toEqual(new Uint8Array());
  });

  it('Ctrl-C prints ^C, discards the line and shows a new prompt', async () => {
    const rig = await makeRig({ columns: 30 });
    await typed(rig, 'rm -rf /');
    const fx = await rig.feed('\x03');
    expect(fx.map((e) => e.type)).toEqual(['write', 'interrupt', 'write']);
    expect(fx[0]?.type === 'write' && fx[0].data.endsWith('^C\r\n')).toBe(true);
    expect(rig.editor.buffer).toBe('');
    expect(rig.editor.mode).toBe('edit');
    expect(checkScreen(rig)).toBeNull();
    expect(rig.submits).toEqual([]);
  });

  it('Ctrl-D on an empty buffer is EOF, later bytes wait as type-ahead', async () => {
    const rig = await makeRig({ columns: 30 });
    const fx = await rig.feed('\x04ls');
    expect(fx.some((e) => e.type === 'eof')).toBe(true);
    expect(rig.editor.mode).toBe('idle');
    expect(new TextDecoder().decode(rig.editor.takeTypeahead())).toBe('ls');
  });

  it('type-ahead after Enter is replayed at the next prompt, never submitted early', async () => {
    const rig = await makeRig({ columns: 30 });
    await rig.feed('true\rrm -rf /tmp/x\r');
    expect(rig.submits).toEqual(['true']);
    await rig.apply(rig.editor.prompt('$ '));
    expect(rig.submits).toEqual(['true', 'rm -rf /tmp/x']);
  });

  it('Ctrl-L clears the screen and redraws prompt and buffer at the top', async () => {
    const rig = await makeRig({ columns: 20 });
    await typed(rig, 'some long text that wraps', L, L);
    const fx = await rig.feed('\x0c');
    expect(fx[0]?.type === 'write' && fx[0].data.startsWith('\x1b[H\x1b[2J')).toBe(true);
    expect(rig.term.buffer.active.cursorY).toBe(1); // 11-cell prompt + 23 cells in 20 columns
    expect(checkScreen(rig)).toBeNull();
  });

  it('a lone Esc resolves through flushEscape()', async () => {
    const rig = await makeRig({ columns: 30, history: ['make test'] });
    await typed(rig, '\x12', 'make', '\x1b');
    expect(rig.editor.pendingEscape).toBe(true);
    await rig.apply(rig.editor.flushEscape());
    expect(rig.editor.mode).toBe('edit');
    expect(rig.editor.buffer).toBe('make test');
    expect(checkScreen(rig)).toBeNull();
  });
});
