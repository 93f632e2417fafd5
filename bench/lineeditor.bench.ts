/**
 * Line editor keystroke cost (pure CPU, no terminal): µs per keystroke from feed() to effects,
 * typing at the end of a line in 80 columns, and in the middle of a 300-character wrapped line.
 */
import { LineEditor } from '../src/lineeditor/index.js';
import { fmt, summarize } from './stats.js';

function measure(columns: number, setup: (ed: LineEditor) => void, keys: number, chars = 'abcdefghijklmnopqrstuvwxyz'): number[] {
  const ed = new LineEditor({ columns, isComplete: () => true });
  ed.prompt('alice@prod-db:~/src$ ');
  setup(ed);
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    const key = i % 50 === 49 ? '\x7f' : chars[i % chars.length] ?? 'a';
    const t0 = process.hrtime.bigint();
    ed.feed(key);
    samples.push(Number(process.hrtime.bigint() - t0));
    // Keep the line the same length so every sample sees the same situation.
    if (key !== '\x7f' && ed.buffer.length > 80) ed.feed('\x7f');
  }
  return samples;
}

export async function run(): Promise<void> {
  const cases: [string, number, (ed: LineEditor) => void][] = [
    ['type at end of line, 80 columns', 80, (ed) => ed.feed('git log --oneline ')],
    [
      'type in middle of 300-char wrapped line',
      80,
      (ed) => {
        ed.feed('x'.repeat(300));
        for (let i = 0; i < 150; i++) ed.feed('\x1b[D');
      },
    ],
  ];
  const cjk = '中文字符串测试';
  for (const [name, cols, setup, chars] of [...cases, ['type CJK at end of a CJK line (non-ASCII path)', 80, (ed: LineEditor) => ed.feed('echo 你好 '), cjk] as const]) {
    measure(cols, setup, 2000, chars); // warm-up
    const s = summarize(measure(cols, setup, 20000, chars));
    console.log(`${name}: p50 ${fmt(s.p50us)} µs, p99 ${fmt(s.p99us)} µs, mean ${fmt(s.meanUs)} µs`);
  }
}
