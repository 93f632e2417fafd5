/**
 * Where browser tests save page screenshots: docs/screenshots/ (the README shows them) only when
 * BULWARK_UPDATE_SCREENSHOTS=1, so an ordinary test run never rewrites tracked files; otherwise a
 * temporary folder, so the screenshot code still runs on every test run.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './bulwark.js';

let dir: string | undefined;

export function screenshotPath(name: string): string {
  if (dir === undefined) {
    dir = process.env['BULWARK_UPDATE_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'bulwark-shots-'));
    mkdirSync(dir, { recursive: true });
  }
  return join(dir, name);
}
