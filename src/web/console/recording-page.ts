/**
 * One recording: the page (facts, integrity from a fresh verification, asciinema-player, the side
 * timeline of every judged command with its decision), the cast itself for the player, and a
 * live stream (server-sent events in the shape asciinema-player's eventsource driver reads) of a
 * session still being recorded.
 *
 * Trust boundary: the id comes from the URL and must be a well-formed recording id before it
 * touches the filesystem (no paths, no prefixes); the caller has already checked the viewer's
 * session and group and audits every view. Known limits: the live stream polls the file every
 * 250 ms (like `bulwark replay --follow`); a cast still being written is served up to its last
 * complete line.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CastTail, isRecordingId, readTimeline, type CommandEntry } from '../../recording/index.js';
import { esc, headers } from './http.js';
import { integrityBadge, type IntegrityCache } from './integrity.js';

const POLL_MS = 250;

/** The cast file of a well-formed, existing recording id, else undefined. */
export async function castFile(dir: string, id: string): Promise<string | undefined> {
  if (!isRecordingId(id)) return undefined;
  const file = join(dir, `${id}.cast`);
  return (await stat(file).then((s) => s.isFile(), () => false)) ? file : undefined;
}

function timeline(commands: readonly CommandEntry[]): string {
  if (commands.length === 0) return '<p>No judged commands.</p>';
  const items = commands.map((c, i) => `<li class="verdict-${esc(c.verdict)}"><button type="button" data-marker="${i}" data-t="${c.t}" aria-label="${esc(c.verdict)} at ${c.t.toFixed(1)} seconds: ${esc(c.line)}">
<span class="verdict">${esc(c.verdict)}</span> <span class="at">${c.t.toFixed(1)}s</span> <code>${esc(c.line)}</code>
<span class="rule">${esc(c.rule)}${c.categories.length > 0 ? ` · ${esc(c.categories.join(', '))}` : ''}</span></button></li>`);
  return `<ol class="timeline">${items.join('\n')}</ol>`;
}

export async function recordingPage(file: string, id: string, integrity: IntegrityCache): Promise<{ title: string; body: string }> {
  const check = await integrity.check(file, true);
  const tail = new CastTail(file);
  await tail.read();
  const h = tail.header?.bulwark;
  const commands = await readTimeline(file).catch(() => []);
  const open = !tail.sealed && check.status !== 'tampered';
  const facts = h === undefined ? '' : `<dl class="facts">
<dt>Who</dt><dd>${esc(h.subject)} (${esc(h.kind)}${h.groups.length > 0 ? `, ${esc(h.groups.join(', '))}` : ''})</dd>
<dt>Where</dt><dd>${esc(h.target)} as ${esc(h.principal)} from ${esc(h.source)}</dd>
<dt>When</dt><dd><time datetime="${esc(new Date(h.startedAt).toISOString())}">${esc(new Date(h.startedAt).toISOString())}</time></dd>
<dt>Certificate serial</dt><dd>${esc(h.serial)}</dd>
<dt>Integrity</dt><dd>${integrityBadge(check)} <span class="muted">${esc(check.reason)}</span></dd></dl>`;
  const alert = check.status === 'tampered' ? `<p role="alert" class="tamper">This recording was altered: ${esc(check.reason)}. It is not evidence past record ${check.firstBadRecord ?? '?'}.</p>` : '';
  const src = `/recordings/${encodeURIComponent(id)}`;
  const body = `${alert}${facts}
<div class="recording">
<section aria-labelledby="player-h" class="player-pane"><h2 id="player-h">Replay</h2>
<div class="controls"><label>Speed <select id="speed"><option value="0.5">0.5×</option><option value="1" selected>1×</option><option value="2">2×</option><option value="4">4×</option></select></label>
<label>Idle limit <select id="idle"><option value="">none</option><option value="1">1 s</option><option value="2">2 s</option><option value="5">5 s</option></select></label>
${open ? '<button type="button" id="live" aria-pressed="false">Follow live</button>' : ''}</div>
<div id="player" data-cast="${esc(src)}/cast" data-live="${esc(src)}/live"></div></section>
<section aria-labelledby="timeline-h" class="timeline-pane"><h2 id="timeline-h">Judged commands (${commands.length})</h2>${timeline(commands)}</section>
</div>`;
  return { title: `Recording ${id}`, body };
}

/** The cast up to its last complete line (a partial line would break the player's parser). */
export async function sendCast(res: ServerResponse, file: string): Promise<void> {
  const bytes = await readFile(file);
  const cut = bytes.lastIndexOf(0x0a);
  res.writeHead(200, headers({ 'content-type': 'application/x-asciicast; charset=utf-8' }));
  res.end(cut === -1 ? Buffer.alloc(0) : bytes.subarray(0, cut + 1));
}

/** Server-sent events: a reset with the screen so far, then each new output event, then done. */
export async function streamLive(res: ServerResponse, file: string, signal: AbortSignal): Promise<void> {
  const tail = new CastTail(file);
  const first = await tail.read();
  res.writeHead(200, headers({ 'content-type': 'text/event-stream', 'x-accel-buffering': 'no' }));
  const cols = tail.header?.width ?? 80;
  const rows = tail.header?.height ?? 24;
  const lastT = first.at(-1)?.[0] ?? 0;
  const init = first.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
  const send = (data: unknown, event?: string) => res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
  send({ cols, rows, time: lastT, init });
  while (!signal.aborted && !tail.sealed) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    let events;
    try {
      events = await tail.read();
    } catch {
      break;
    }
    for (const e of events) if (e[1] === 'o' || e[1] === 'r') send([e[0], e[1], e[2]]);
    if (events.length === 0) res.write(': idle\n\n');
  }
  if (!signal.aborted) send({}, 'done');
  res.end();
}
