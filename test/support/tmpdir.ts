// vitest global setup: every test process and what it spawns writes its temporary files (keys,
// recordings, policy copies, the guarded driver's control dirs) under one directory per run,
// removed when the run ends, so repeated runs do not fill the machine's /tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-test-run-'));
  // Traversable, not listable: tests run shells as unprivileged accounts whose control
  // directories (chowned to them) live in here.
  chmodSync(dir, 0o711);
  process.env['TMPDIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
