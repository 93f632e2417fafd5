/**
 * Reviews end to end through the real ssh client and the real `bulwark serve`: an agent's
 * `psql -c "TRUNCATE audit_log"` is held (75 and an id), a human approver approves over SSH with
 * their own certificate, the agent resends and it runs once, a second resend is a new request.
 * The psql is the real client talking to a tiny fake Postgres on loopback that logs every query it
 * receives, so "ran once" is counted where it lands.
 *
 * Policy: the shipped agent policy DENIES destroy.* for agents, so this test runs with a small
 * policy dir: the shipped schema, access, approvals and humans files, plus an agents file that
 * sends destroy.database to review (written below).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sshArgs, startBulwark, type Bulwark, type SshResult } from './support/bulwark.js';
import { makeKey, signCert, tempDir } from './support/keys.js';

/** Enough of the Postgres wire protocol for psql -c: trust auth, then each simple Query is logged. */
function fakePostgres(queries: string[]): Promise<{ server: Server; port: number }> {
  const msg = (type: string, body: Buffer) => {
    const b = Buffer.alloc(5 + body.length);
    b.write(type, 0);
    b.writeInt32BE(4 + body.length, 1);
    body.copy(b, 5);
    return b;
  };
  const server = createServer((sock) => {
    let buf = Buffer.alloc(0);
    let started = false;
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (!started) {
          if (buf.length < 8 || buf.length < buf.readInt32BE(0)) return;
          const len = buf.readInt32BE(0);
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code === 80877103 || code === 80877104) {
            sock.write('N'); // no TLS, no GSS
            continue;
          }
          started = true;
          const ok = Buffer.alloc(4);
          sock.write(Buffer.concat([msg('R', ok), msg('S', Buffer.from('server_version\x0016.0\x00')), msg('S', Buffer.from('client_encoding\x00UTF8\x00')), msg('Z', Buffer.from('I'))]));
          continue;
        }
        if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
        const type = String.fromCharCode(buf[0] as number);
        const len = buf.readInt32BE(1);
        const body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === 'Q') {
          queries.push(body.subarray(0, body.length - 1).toString());
          sock.write(Buffer.concat([msg('C', Buffer.from('TRUNCATE TABLE\x00')), msg('Z', Buffer.from('I'))]));
        } else if (type === 'X') return void sock.end();
      }
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port })));
}

const AGENTS_REVIEW = `// Test policy: agents may run commands; destroying a database waits for a human.
@id("test.agents.exec")
@reason("no blocking intent")
permit (principal, action == Bulwark::Action::"exec", resource) when { principal.kind == "agent" };

@id("test.agents.review-database")
@decision("review")
@reason("an agent's database destruction needs a human's approval")
forbid (principal, action in Bulwark::Action::"command", resource)
when { principal.kind == "agent" && context.categories.contains("destroy.database") };
`;

const dir = tempDir('bulwark-reviews-');
const queries: string[] = [];
let pg: { server: Server; port: number };
let b: Bulwark;
const k: Record<string, { key: string; cert: string }> = {};
let config: string;

/** ssh with the given environment sent (SendEnv). */
function ssh(who: string, command: string, env: Record<string, string> = {}, extra: string[] = []): Promise<SshResult> {
  const id = k[who] as { key: string; cert: string };
  const send = Object.keys(env).map((n) => ['-o', `SendEnv=${n}`]).flat();
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', sshArgs({ port: b.port, key: id.key, cert: id.cert, command, extra: [...send, ...extra] }), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => reject(new Error(`ssh timed out: ${stderr}`)), 30_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const idOf = (stderr: string) => /request ([0-9a-f]{12}) by rule/.exec(stderr)?.[1] as string;

interface Note {
  note: string;
  data: Record<string, unknown>;
}
/** bulwark notes per recording file (the `b` events of each .cast). */
function castNotes(): Map<string, Note[]> {
  const rec = join(dir, 'recordings');
  const out = new Map<string, Note[]>();
  for (const f of readdirSync(rec).filter((n) => n.endsWith('.cast'))) {
    const notes: Note[] = [];
    for (const line of readFileSync(join(rec, f), 'utf8').split('\n').slice(1)) {
      try {
        const ev = JSON.parse(line) as [number, string, string];
        const rec2 = ev[1] === 'b' ? (JSON.parse(ev[2]) as { kind: string } & Note) : undefined;
        if (rec2?.kind === 'note') notes.push({ note: rec2.note, data: rec2.data });
      } catch {
        // a line still being written
      }
    }
    out.set(f, notes);
  }
  return out;
}
/** The notes about request `id` in the one recording that has all of `kinds`. */
async function recordingWith(id: string, kinds: string[], ms = 8000): Promise<Note[]> {
  for (let i = 0; i < ms / 100; i++) {
    for (const notes of castNotes().values()) {
      const mine = notes.filter((n) => n.data['id'] === id);
      if (kinds.every((k) => mine.some((n) => n.note === k))) return mine;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no recording marks ${kinds.join(', ')} for ${id}`);
}

beforeAll(async () => {
  pg = await fakePostgres(queries);
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  for (const f of ['schema.cedarschema', 'access.cedar', 'approvals.cedar', 'humans.cedar']) copyFileSync(join(ROOT, 'policies', f), join(policies, f));
  writeFileSync(join(policies, 'agents-review.cedar'), AGENTS_REVIEW);
  const ca = makeKey(dir, 'ca');
  const mk = (name: string, keyId: string, kind: string, groups: string) => {
    const key = makeKey(dir, name);
    k[name] = { key, cert: signCert(ca, key, { keyId, options: [`extension:kind@bulwark=${kind}`, ...(groups ? [`extension:groups@bulwark=${groups}`] : [])] }) };
  };
  mk('bot', 'bot@example.com', 'agent', 'ci');
  mk('lead', 'lead@example.com', 'human', 'approvers');
  mk('dev', 'dev@example.com', 'human', 'engineers');
  mk('rogue', 'rogue-bot@example.com', 'agent', 'approvers');
  config = `userCa: [${ca}.pub]\npolicies: ${policies}\n`;
  b = await startBulwark({ dir, configYaml: config });
});
afterAll(async () => {
  await b?.stop();
  pg?.server.close();
});

const TRUNCATE = () => `psql -h 127.0.0.1 -p ${pg.port} -U app -d shop -c "TRUNCATE audit_log"`;

describe('reviews over exec', () => {
  it('holds, is approved over SSH by a human approver, runs once on resend, and a second resend is a new request', async () => {
    const first = await ssh('bot', TRUNCATE(), { BULWARK_REASON: 'ticket OPS-7: rotate the audit table' });
    expect(first.code).toBe(75);
    expect(first.stderr).toMatch(/held for review destroy\.database .*request [0-9a-f]{12} by rule test\.agents\.review-database/);
    const id = idOf(first.stderr);
    expect(queries).toEqual([]);

    // The approver sees it, with the requester's reason, and approves with their own certificate.
    const list = await ssh('lead', 'approvals list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${id}  pending   bot@example.com (agent) on local`);
    const show = await ssh('lead', `approvals show ${id}`);
    expect(show.stdout).toContain('reason:    ticket OPS-7: rotate the audit table');
    expect(show.stdout).toContain(`command:   ${TRUNCATE()}`);
    // An agent (even in the approvers group) and a human outside it are refused.
    const rogue = await ssh('rogue', `approvals approve ${id}`);
    expect(rogue).toMatchObject({ code: 77, stderr: 'bulwark: ERR_APPROVAL_AGENT: AI agents may never approve or deny a held request\n' });
    const dev = await ssh('dev', `approvals approve ${id}`);
    expect(dev.code).toBe(77);
    expect(dev.stderr).toMatch(/^bulwark: ERR_APPROVAL_NOT_PERMITTED: no policy permits approve for human dev@example\.com on local/);
    const ok = await ssh('lead', `approvals approve ${id} --comment "rotation is scheduled"`);
    expect(ok).toMatchObject({ code: 0, stdout: `${id} approved by lead@example.com; status approved\n` });

    // The agent resends the byte-identical command: it runs once.
    const again = await ssh('bot', TRUNCATE());
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('TRUNCATE TABLE\n');
    expect(again.stderr).toContain(`approved by review ${id}`);
    expect(queries).toEqual(['TRUNCATE audit_log']);
    const third = await ssh('bot', TRUNCATE());
    expect(third.code).toBe(75);
    expect(idOf(third.stderr)).not.toBe(id);
    expect(queries).toEqual(['TRUNCATE audit_log']);

    for (const e of ['review.requested', 'review.approved', 'review.consumed']) await b.waitForLog((l) => l.event === e && l['id'] === id);
    await b.waitForLog((l) => l.event === 'review.refused' && l['id'] === id && l['code'] === 'ERR_APPROVAL_AGENT');
    const shown = await ssh('lead', `approvals show ${id}`);
    expect(shown.stdout).toMatch(/status: {4}consumed/);
    expect(shown.stdout).toContain('decision:  approve by lead@example.com');
    // The requester's recordings mark the request and the run.
    await recordingWith(id, ['review.requested']);
    await recordingWith(id, ['review.consumed']);
  }, 60_000);

  it('refuses a self-approval, and a deny ends the request with 77 for a waiting client', async () => {
    const drop = `psql -h 127.0.0.1 -p ${pg.port} -U app -d shop -c "TRUNCATE dev_sessions"`;
    const held = await ssh('dev', drop);
    expect(held.code).toBe(75);
    const id = idOf(held.stderr);
    const self = await ssh('dev', `approvals approve ${id}`);
    expect(self).toMatchObject({ code: 77, stderr: 'bulwark: ERR_APPROVAL_SELF: nobody may decide their own request\n' });
    // A waiting client (BULWARK_WAIT=1) learns of the deny at once.
    const waiting = ssh('dev', drop, { BULWARK_WAIT: '1' });
    const second = await b.waitForLog((l) => l.event === 'review.requested' && l['requester'] === 'dev@example.com' && l['id'] !== id);
    const denied = await ssh('lead', `approvals deny ${String(second['id'])} --comment "use the cleanup job"`);
    expect(denied.code).toBe(0);
    const w = await waiting;
    expect(w.code).toBe(77);
    expect(w.stderr).toContain('waiting up to 600 s for an approver');
    expect(w.stderr).toContain(`${String(second['id'])} denied by lead@example.com: use the cleanup job`);
    expect(queries).not.toContain('TRUNCATE dev_sessions');
  }, 60_000);

  it('a waiting agent (BULWARK_WAIT=1) runs as soon as it is approved, and its recording marks each step', async () => {
    const before = queries.length;
    const waiting = ssh('bot', TRUNCATE(), { BULWARK_WAIT: '1' });
    const seen = new Set(b.logs.filter((l) => l.event === 'review.requested').map((l) => l['id']));
    const req = await b.waitForLog((l) => l.event === 'review.requested' && l['requester'] === 'bot@example.com' && !seen.has(l['id']), 15_000);
    const id = String(req['id']);
    expect((await ssh('lead', `approvals approve ${id}`)).code).toBe(0);
    const w = await waiting;
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('TRUNCATE TABLE\n');
    expect(queries.length).toBe(before + 1);
    const notes = await recordingWith(id, ['review.requested', 'review.approved', 'review.consumed']);
    expect(notes.find((n) => n.note === 'review.approved')?.data).toEqual({ id, by: 'lead@example.com' });
  }, 60_000);

  it('a pending request survives a restart of bulwark serve and can be approved after it', async () => {
    const held = await ssh('bot', TRUNCATE());
    const id = idOf(held.stderr);
    await b.stop();
    b = await startBulwark({ dir, configYaml: config });
    expect((await ssh('lead', 'approvals list')).stdout).toContain(`${id}  pending`);
    expect((await ssh('lead', `approvals approve ${id}`)).code).toBe(0);
    const before = queries.length;
    const run = await ssh('bot', TRUNCATE());
    expect(run.code).toBe(0);
    expect(queries.length).toBe(before + 1);
  }, 60_000);

  it('an expired request can be neither approved nor used', async () => {
    // Long enough that approving in time never races a slow machine (a held session ends and a
    // new ssh connection signs in before the approval), short enough to wait out twice.
    const TTL_MS = 3000;
    const short = await startBulwark({ dir: tempDir('bulwark-reviews-ttl-'), configYaml: `${config}approvals: { ttl: ${TTL_MS / 1000}s }\n` });
    const prev = b;
    b = short;
    try {
      const held = await ssh('bot', TRUNCATE());
      const id = idOf(held.stderr);
      await new Promise((r) => setTimeout(r, TTL_MS + 200));
      const late = await ssh('lead', `approvals approve ${id}`);
      expect(late.code).toBe(77);
      expect(late.stderr).toMatch(new RegExp(`^bulwark: ERR_APPROVAL_EXPIRED: request ${id} expired at `));
      await short.waitForLog((l) => l.event === 'review.expired' && l['id'] === id);
      // One approved in time but used too late: the resend is a fresh request, nothing runs.
      const before = queries.length;
      const held2 = await ssh('bot', `${TRUNCATE()} `);
      const id2 = idOf(held2.stderr);
      expect((await ssh('lead', `approvals approve ${id2}`)).code).toBe(0);
      await new Promise((r) => setTimeout(r, TTL_MS + 200));
      const resend = await ssh('bot', `${TRUNCATE()} `);
      expect(resend.code).toBe(75);
      expect(idOf(resend.stderr)).not.toBe(id2);
      expect(queries.length).toBe(before);
    } finally {
      b = prev;
      await short.stop();
    }
  }, 60_000);
});
