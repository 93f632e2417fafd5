/**
 * The driver's state report (sent by PROMPT_COMMAND after every unit): NUL-separated fields
 * `done`, exit status, cwd, PATH and the `declare -f` text of every function. NUL cannot occur
 * inside a bash string, so the framing cannot be forged by a directory or function name. Anything
 * else on the channel is a protocol violation and ends the session (fail closed).
 */

export interface DriverReport {
  readonly status: number;
  readonly cwd: string;
  readonly path: string;
  /** Function name → body source (`{ ... }`), as the intent analyser takes them. */
  readonly functions: ReadonlyMap<string, string>;
}

const FIELDS = 5;
const MAX_PENDING = 8 * 1024 * 1024;

/** Splits `declare -f` output into functions; the driver's own (`__bw_*`) are left out. */
export function parseFunctions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n');
  let name: string | undefined;
  let body: string[] = [];
  for (const line of lines) {
    const head = /^(\S+) \(\) $/.exec(line);
    if (name === undefined && head) {
      name = head[1];
      body = [];
      continue;
    }
    if (name !== undefined) {
      body.push(line);
      if (line === '}') {
        if (!name.startsWith('__bw_')) out.set(name, body.join('\n'));
        name = undefined;
      }
    }
  }
  return out;
}

export class ReportReader {
  private pending = '';
  private fields: string[] = [];

  /** Feeds channel bytes; returns the complete reports, or throws on a malformed stream. */
  push(data: Buffer): DriverReport[] {
    this.pending += data.toString('utf8');
    if (this.pending.length > MAX_PENDING) throw new Error('report too large');
    const out: DriverReport[] = [];
    let i: number;
    while ((i = this.pending.indexOf('\0')) >= 0) {
      this.fields.push(this.pending.slice(0, i));
      this.pending = this.pending.slice(i + 1);
      if (this.fields[0] !== 'done') throw new Error(`unexpected report tag ${JSON.stringify(this.fields[0]?.slice(0, 20))}`);
      if (this.fields.length === FIELDS) {
        const [, st, cwd, path, fns] = this.fields as [string, string, string, string, string];
        this.fields = [];
        if (!/^\d{1,3}$/.test(st)) throw new Error(`malformed exit status ${JSON.stringify(st.slice(0, 20))}`);
        out.push({ status: Number(st), cwd, path, functions: parseFunctions(fns) });
      }
    }
    return out;
  }
}
