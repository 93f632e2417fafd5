/**
 * A passive observer of one SFTP v3 stream (draft-ietf-secsh-filexfer-02), fed a copy of the bytes
 * in each direction, that turns them into transfer records: each file opened and closed (path,
 * direction, bytes read and written) and each namespace change (remove, rename, mkdir, rmdir,
 * setstat, symlink) with the server's answer.
 *
 * Trust boundary: the client's bytes are hostile; the server's bytes come from sftp-server running
 * as the target account. The parser never holds or alters the stream (the caller pipes the real
 * bytes; this only sees copies) and never throws on input.
 * Memory is bounded: at most HEAD_LIMIT bytes of any packet are kept (the rest, such as WRITE and
 * DATA payloads, is counted and skipped), and at most MAX_PENDING requests and MAX_HANDLES open
 * files are tracked. A framing error or a blown bound is reported once through onGarbled; after
 * that the parser ignores everything (the caller closes the channel: fail closed).
 * Known limits: byte counts are what was requested to be written and what the server returned to
 * reads, not what reached the disk; a path longer than the kept head is recorded truncated.
 */

/** sftp-server refuses packets above 256 KiB (SFTP_MAX_MSG_LENGTH); so does the observer. */
export const MAX_PACKET = 256 * 1024;
const HEAD_LIMIT = 8 * 1024;
const MAX_PENDING = 10_000;
const MAX_HANDLES = 4096;

const T = {
  OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, SETSTAT: 9, REMOVE: 13, MKDIR: 14, RMDIR: 15, RENAME: 18, SYMLINK: 20, EXTENDED: 200,
  STATUS: 101, HANDLE: 102, DATA: 103,
} as const;
const FXF_WRITE = 0x02;

export interface FileRecord {
  readonly path: string;
  readonly direction: 'download' | 'upload' | 'both' | 'none';
  /** pflags of the OPEN request: read, write, append, creat, trunc, excl. */
  readonly flags: readonly string[];
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export interface OpRecord {
  readonly op: 'remove' | 'rename' | 'mkdir' | 'rmdir' | 'setstat' | 'symlink' | 'hardlink';
  readonly path: string;
  readonly to?: string;
  /** SSH_FX status code of the server's answer (0 = ok); undefined if none came. */
  readonly status: number | undefined;
}

export interface SftpObserver {
  onFile(f: FileRecord): void;
  onOp(o: OpRecord): void;
  /** Called once: the stream cannot be followed any more. */
  onGarbled(why: string): void;
}

interface OpenFile {
  path: string;
  flags: number;
  read: number;
  written: number;
}

type Pending = { kind: 'open'; path: string; flags: number } | { kind: 'read'; handle: string } | { kind: 'op'; op: OpRecord['op']; path: string; to?: string };

/** Reads the fields of a packet head; every read past the end returns undefined. */
class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number | undefined {
    if (this.pos + 4 > this.b.length) return undefined;
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** A string's bytes; `partial` allows one cut off by the head limit. */
  bytes(partial = false): Buffer | undefined {
    const n = this.u32();
    if (n === undefined) return undefined;
    if (this.pos + n > this.b.length && !partial) return undefined;
    const s = this.b.subarray(this.pos, Math.min(this.pos + n, this.b.length));
    this.pos += n;
    return s;
  }
  str(partial = false): string | undefined {
    return this.bytes(partial)?.toString('utf8');
  }
}

const FLAG_NAMES = ['read', 'write', 'append', 'creat', 'trunc', 'excl'];
const flagNames = (f: number) => FLAG_NAMES.filter((_, i) => (f & (1 << i)) !== 0);

/** One direction's framing: collects each packet's head, counts (and drops) the rest. */
class Framer {
  #len = Buffer.alloc(0);
  #need = -1; // bytes of the current packet still to come; -1: reading the length
  #head: Buffer[] = [];
  #headLen = 0;
  #total = 0;

  constructor(private readonly onPacket: (head: Buffer, total: number) => void, private readonly bad: (why: string) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#need < 0) {
        const take = Math.min(4 - this.#len.length, chunk.length - i);
        this.#len = Buffer.concat([this.#len, chunk.subarray(i, i + take)]);
        i += take;
        if (this.#len.length < 4) return;
        const n = this.#len.readUInt32BE(0);
        this.#len = Buffer.alloc(0);
        if (n === 0 || n > MAX_PACKET) return this.bad(`packet length ${n} is outside 1..${MAX_PACKET}`);
        this.#need = n;
        this.#total = n;
        this.#head = [];
        this.#headLen = 0;
        continue;
      }
      const take = Math.min(this.#need, chunk.length - i);
      const keep = Math.min(take, HEAD_LIMIT - this.#headLen);
      if (keep > 0) {
        this.#head.push(chunk.subarray(i, i + keep));
        this.#headLen += keep;
      }
      i += take;
      this.#need -= take;
      if (this.#need === 0) {
        this.#need = -1;
        this.onPacket(Buffer.concat(this.#head), this.#total);
      }
    }
  }
}

export class SftpParser {
  #pending = new Map<number, Pending>();
  #handles = new Map<string, OpenFile>();
  #dead = false;
  readonly #client: Framer;
  readonly #server: Framer;

  constructor(private readonly obs: SftpObserver) {
    this.#client = new Framer((h, t) => this.#request(h, t), (w) => this.#garbled(`client: ${w}`));
    this.#server = new Framer((h) => this.#reply(h), (w) => this.#garbled(`server: ${w}`));
  }

  get dead(): boolean {
    return this.#dead;
  }

  fromClient(chunk: Buffer): void {
    if (!this.#dead) this.#client.push(chunk);
  }

  fromServer(chunk: Buffer): void {
    if (!this.#dead) this.#server.push(chunk);
  }

  /** The stream ended: files still open are reported as they stand, unanswered ops without status. */
  end(): void {
    for (const f of this.#handles.values()) this.obs.onFile(record(f));
    this.#handles.clear();
    for (const p of this.#pending.values()) if (p.kind === 'op') this.obs.onOp({ op: p.op, path: p.path, ...(p.to === undefined ? {} : { to: p.to }), status: undefined });
    this.#pending.clear();
  }

  #garbled(why: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.obs.onGarbled(why);
  }

  #expect(id: number | undefined, p: Pending): void {
    if (id === undefined) return this.#garbled('client: a request without an id');
    if (this.#pending.size >= MAX_PENDING) return this.#garbled(`client: more than ${MAX_PENDING} requests unanswered`);
    this.#pending.set(id, p);
  }

  #request(head: Buffer, total: number): void {
    const type = head[0];
    const r = new Reader(head);
    r.pos = 1;
    const id = type === 1 ? 0 : r.u32(); // INIT carries a version, not an id
    switch (type) {
      case T.OPEN: {
        const path = r.str(true);
        const flags = r.u32();
        // A head cut before the flags (path > HEAD_LIMIT): assume a write, the riskier reading.
        return this.#expect(id, { kind: 'open', path: path ?? '', flags: flags ?? FXF_WRITE });
      }
      case T.READ: {
        const h = r.str();
        if (h !== undefined && this.#handles.has(h)) this.#expect(id, { kind: 'read', handle: h });
        return;
      }
      case T.WRITE: {
        const h = r.str();
        r.pos += 8; // offset
        const n = r.u32();
        const f = h === undefined ? undefined : this.#handles.get(h);
        // The payload length is bounded by what the packet really carried.
        if (f !== undefined && n !== undefined) f.written += Math.min(n, Math.max(0, total - r.pos));
        return;
      }
      case T.CLOSE: {
        const h = r.str();
        const f = h === undefined ? undefined : this.#handles.get(h);
        if (h !== undefined && f !== undefined) {
          this.#handles.delete(h);
          this.obs.onFile(record(f));
        }
        return;
      }
      case T.REMOVE:
      case T.MKDIR:
      case T.RMDIR:
      case T.SETSTAT:
        return this.#expect(id, { kind: 'op', op: type === T.REMOVE ? 'remove' : type === T.MKDIR ? 'mkdir' : type === T.RMDIR ? 'rmdir' : 'setstat', path: r.str(true) ?? '' });
      case T.RENAME:
      case T.SYMLINK: {
        const a = r.str(true) ?? '';
        const b = r.str(true) ?? '';
        // SYMLINK's arguments: OpenSSH sends (target, link) — the reverse of the draft; keep both.
        return this.#expect(id, { kind: 'op', op: type === T.RENAME ? 'rename' : 'symlink', path: a, to: b });
      }
      case T.EXTENDED: {
        const name = r.str();
        if (name === 'posix-rename@openssh.com' || name === 'hardlink@openssh.com') {
          const a = r.str(true) ?? '';
          const b = r.str(true) ?? '';
          this.#expect(id, { kind: 'op', op: name === 'hardlink@openssh.com' ? 'hardlink' : 'rename', path: a, to: b });
        }
        return;
      }
      default:
        return; // reads of metadata and directories change nothing
    }
  }

  #reply(head: Buffer): void {
    const type = head[0];
    const r = new Reader(head);
    r.pos = 1;
    if (type === 2) return; // VERSION
    const id = r.u32();
    if (id === undefined) return this.#garbled('server: a reply without an id');
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    if (type === T.HANDLE && p.kind === 'open') {
      const h = r.str();
      if (h === undefined) return;
      if (this.#handles.size >= MAX_HANDLES) return this.#garbled(`more than ${MAX_HANDLES} files open`);
      this.#handles.set(h, { path: p.path, flags: p.flags, read: 0, written: 0 });
    } else if (type === T.DATA && p.kind === 'read') {
      const n = r.u32();
      const f = this.#handles.get(p.handle);
      if (f !== undefined && n !== undefined) f.read += Math.min(n, MAX_PACKET);
    } else if (type === T.STATUS && p.kind === 'op') {
      this.obs.onOp({ op: p.op, path: p.path, ...(p.to === undefined ? {} : { to: p.to }), status: r.u32() });
    }
  }
}

function record(f: OpenFile): FileRecord {
  const direction = f.written > 0 && f.read > 0 ? 'both' : f.written > 0 ? 'upload' : f.read > 0 ? 'download' : (f.flags & FXF_WRITE) !== 0 ? 'upload' : 'none';
  return { path: f.path, direction, flags: flagNames(f.flags), bytesRead: f.read, bytesWritten: f.written };
}
