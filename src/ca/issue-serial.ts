/**
 * Certificate serials: 63-bit random numbers, checked against and appended to a log in the state
 * directory (`issued-serials.log`, one `serial<TAB>time<TAB>keyId` line each), so every serial is
 * unique and every issued certificate can be traced and revoked by serial.
 *
 * Trust boundary: the log is ours (state dir, 0600); a malformed line is an error, not skipped,
 * because skipping would allow a repeated serial. Known limits: the whole log is re-read on each
 * issuance (fine for a bastion's volume; rotate the file to archive it); two processes issuing at
 * the same instant could in theory draw the same serial (probability ~2^-63 per pair).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { IssueError } from './issue-errors.js';

export class SerialLog {
  constructor(readonly file: string) {}

  private used(): Set<bigint> {
    const out = new Set<bigint>();
    if (!existsSync(this.file)) return out;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      throw new IssueError('ERR_CA_SERIAL_LOG', `cannot read serial log ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    text.split('\n').forEach((line, i) => {
      if (line === '') return;
      const m = /^(\d{1,20})\t/.exec(line);
      if (!m) throw new IssueError('ERR_CA_SERIAL_LOG', `${this.file}:${i + 1}: not a serial log line`);
      out.add(BigInt(m[1] as string));
    });
    return out;
  }

  /** Draws a fresh serial, records it with the key ID, and returns it. */
  next(keyId: string, now = new Date()): bigint {
    const used = this.used();
    let serial = 0n;
    while (serial === 0n || used.has(serial)) serial = randomBytes(8).readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
    try {
      // Key IDs are single-line by validation; replace tabs/newlines anyway so the log stays parseable.
      appendFileSync(this.file, `${serial}\t${now.toISOString()}\t${keyId.replace(/[\t\r\n]/g, ' ')}\n`, { mode: 0o600 });
    } catch (e) {
      throw new IssueError('ERR_CA_SERIAL_LOG', `cannot append to serial log ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    return serial;
  }
}
