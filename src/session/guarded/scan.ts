/**
 * Finds the driver's marker sequences in PTY output that may arrive split across reads. Bytes that
 * could be the start of a marker are held back until the next read decides; everything else is
 * released at once so output is not delayed.
 */

export interface ScanResult {
  /** Bytes before the first marker (or all safe bytes when none was found). */
  readonly before: Buffer;
  /** Index into the markers list of the marker found, if any. */
  readonly found?: number;
  /** Bytes after the marker; the caller scans them again in its new phase. */
  readonly after?: Buffer;
}

export class MarkerScanner {
  private held: Buffer = Buffer.alloc(0);

  scan(data: Buffer, markers: readonly Buffer[]): ScanResult {
    const buf = this.held.length === 0 ? data : Buffer.concat([this.held, data]);
    this.held = Buffer.alloc(0);
    let best = -1;
    let at = -1;
    markers.forEach((m, i) => {
      const j = buf.indexOf(m);
      if (j >= 0 && (at < 0 || j < at)) {
        at = j;
        best = i;
      }
    });
    if (best >= 0) {
      const m = markers[best] as Buffer;
      return { before: buf.subarray(0, at), found: best, after: buf.subarray(at + m.length) };
    }
    let keep = 0;
    for (const m of markers) {
      for (let k = Math.min(m.length - 1, buf.length); k > keep; k--) {
        if (buf.subarray(buf.length - k).equals(m.subarray(0, k))) {
          keep = k;
          break;
        }
      }
    }
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return { before: buf.subarray(0, buf.length - keep) };
  }

  /** Drops any held bytes (a phase change makes them irrelevant). */
  reset(): void {
    this.held = Buffer.alloc(0);
  }
}
