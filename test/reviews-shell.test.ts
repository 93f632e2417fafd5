/**
 * Reviews in a guarded interactive shell through the real ssh client in a real terminal: a line
 * held for review waits with a live status line and runs, exactly as typed, once a human approver
 * approves over SSH; Ctrl-C cancels the request and puts the line back in the editor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';
import { PROMPT, SshTerminal } from './support/terminal.js';

const dir = tempDir('bulwark-reviews-shell-');
let b: Bulwark;
const k: Record<string, { key: string; cert: string }> = {};

beforeAll(async () => {
  const ca = makeKey(dir, 'ca');
  for (const [name, id, groups] of [['dev', 'dev@example.com', 'engineers'], ['lead', 'lead@example.com', 'approvers']] as const) {
    const key = makeKey(dir, name);
    k[name] = { key, cert: signCert(ca, key, { keyId: id, options: ['extension:kind@bulwark=human', `extension:groups@bulwark=${groups}`] }) };
  }
  b = await startBulwark({ dir, args: ['--user-ca', `${ca}.pub`] });
});
afterAll(async () => {
  await b?.stop();
});

class Term extends SshTerminal {
  constructor(who: string) {
    const id = k[who] as { key: string; cert: string };
    super({ port: b.port, key: id.key, cert: id.cert, cwd: dir, cols: 120 });
  }
}
const LINE = 'mkdir -p doomed && rm -rf doomed && echo removed-$((40+2))';

describe('reviews in a guarded shell', () => {
  it('waits with a live status line, runs the line as judged once approved, and stays usable', async () => {
    const t = new Term('dev');
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.p.write(`${LINE}\r`);
    const held = await t.waitFor(/held for review destroy\.filesystem .*request ([0-9a-f]{12}) by rule humans\.destroy/, from);
    const id = held[1] as string;
    await t.waitFor(new RegExp(`waiting for approval ${id} \\(\\d+ s left\\); Ctrl-C cancels`), from);
    expect(t.out.slice(from)).not.toContain('removed-42');
    // Keys typed while waiting go nowhere.
    t.p.write('echo typed-while-waiting');
    const ok = await runSsh({ port: b.port, ...(k['lead'] as { key: string; cert: string }), command: `approvals approve ${id}` });
    expect(ok.code).toBe(0);
    await t.waitFor(new RegExp(`${id} approved by lead@example\\.com; running it[^]*removed-42\\r\\n[^]*\\$ `), from);
    expect(t.out.slice(from)).not.toContain('typed-while-waiting\r\n');
    const after = t.out.length;
    t.p.write('\x15echo still-$((1+1))\r');
    await t.waitFor(/still-2\r\n/, after);
    await b.waitForLog((l) => l.event === 'review.consumed' && l['id'] === id);
    t.p.write('\x15exit\r');
    await t.exited;
  }, 30_000);

  it('Ctrl-C cancels the request and gives the line back', async () => {
    const t = new Term('dev');
    await t.waitFor(PROMPT);
    const from = t.out.length;
    t.p.write(`${LINE}\r`);
    const held = await t.waitFor(/request ([0-9a-f]{12}) by rule/, from);
    const id = held[1] as string;
    await t.waitFor(/Ctrl-C cancels/, from);
    const at = t.out.length;
    t.p.write('\x03');
    await t.waitFor(new RegExp(`${id} cancelled[^]*\\$ ${LINE.replace(/[$()+*?.[\]\\]/g, '\\$&')}`), at);
    await b.waitForLog((l) => l.event === 'review.cancelled' && l['id'] === id);
    const shown = await runSsh({ port: b.port, ...(k['dev'] as { key: string; cert: string }), command: `approvals show ${id}` });
    expect(shown.stdout).toMatch(/status: {4}cancelled/);
    const late = await runSsh({ port: b.port, ...(k['lead'] as { key: string; cert: string }), command: `approvals approve ${id}` });
    expect(late).toMatchObject({ code: 77, stderr: `bulwark: ERR_APPROVAL_NOT_PENDING: request ${id} is cancelled, not pending\n` });
    const again = t.out.length;
    t.p.write('\x15echo after-cancel\r');
    await t.waitFor(/after-cancel\r\n/, again);
    expect(t.out).not.toContain('removed-42');
    t.p.write('\x15exit\r');
    await t.exited;
  }, 30_000);
});
