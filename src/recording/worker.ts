/**
 * Entry of the recording worker thread (started by host.ts). Runs each message against its
 * recording's Sink, in arrival order, and acknowledges written messages once per turn of the event
 * loop rather than once per message, so the session's thread handles few replies. Any exception
 * here is a bug: it kills the worker, and the host fails every open recording (fail closed).
 */
import { parentPort } from 'node:worker_threads';
import { Sink } from './sink.js';
import type { FailKind, FromWorker, ToWorker } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('recording worker started outside a worker thread');

const sinks = new Map<number, Sink>();
const acks = new Map<number, { msgs: number; bytes: number; bufs: ArrayBuffer[] }>();
let ackPending = false;

function post(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

function ack(id: number, bytes: number, buf?: ArrayBuffer): void {
  let a = acks.get(id);
  if (a === undefined) {
    a = { msgs: 0, bytes: 0, bufs: [] };
    acks.set(id, a);
  }
  a.msgs += 1;
  a.bytes += bytes;
  if (buf !== undefined) a.bufs.push(buf);
  if (!ackPending) {
    ackPending = true;
    setImmediate(flushAcks);
  }
}

function flushAcks(): void {
  ackPending = false;
  for (const [id, a] of acks) post({ op: 'ack', id, ...a }, a.bufs);
  acks.clear();
}

function fail(id: number, kind: FailKind, err: unknown): void {
  sinks.delete(id);
  const e = err as { message?: unknown; code?: unknown } | undefined;
  post({
    op: 'fail',
    id,
    kind,
    message: typeof e?.message === 'string' ? e.message : String(err ?? kind),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  });
}

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'open': {
      const sink = new Sink(m.fd, m.key, (kind, err) => fail(m.id, kind, err));
      sinks.set(m.id, sink);
      sink.line(m.header);
      break;
    }
    case 'out':
      sinks.get(m.id)?.output(m.t, m.data);
      ack(m.id, m.data.length, m.data.buffer as ArrayBuffer);
      break;
    case 'line':
      sinks.get(m.id)?.line(m.line);
      ack(m.id, m.line.length);
      break;
    case 'tick':
      sinks.get(m.id)?.tick(m.t, m.at);
      break;
    case 'seal': {
      const sink = sinks.get(m.id);
      if (sink === undefined) break;
      void sink.seal(m.t, m.at, m.seal).then((r) => {
        sinks.delete(m.id);
        // Acknowledge what came before the seal first, then report the seal itself.
        flushAcks();
        if (r !== undefined) post({ op: 'sealed', id: m.id, ...r });
      });
      break;
    }
    case 'drop': {
      const sink = sinks.get(m.id);
      sinks.delete(m.id);
      void (sink?.drop() ?? Promise.resolve()).then(() => post({ op: 'dropped', id: m.id }));
      break;
    }
  }
});

post({ op: 'ready' });
