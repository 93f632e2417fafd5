/**
 * `bulwark verify ID...|--all [--dir DIR] [--key FILE | --state DIR] [--allow-unsealed] [--json]`:
 * check recordings against the published recording key (never a key found in the file).
 * Exit status: 0 every recording sealed and intact (or unsealed with --allow-unsealed);
 * 2 none tampered but at least one unsealed (crashed, or still being written); 1 at least one
 * tampered, missing or unreadable; 64 usage. Each tampered recording names its first bad record.
 */
import { join } from 'node:path';
import { describeError, isBulwarkError } from '../core/errors.js';
import { PUBLIC_KEY_FILE, loadPublicKey, recordingIds, resolveRecording, verifyRecording, type VerifyResult } from '../recording/index.js';
import { EXIT, parseCommand, writeLine, type CliIO } from './io.js';

const USAGE = 'usage: bulwark verify ID...|--all [--dir DIR] [--key FILE | --state DIR] [--allow-unsealed] [--json]';
export const VERIFY_EXIT = { ok: EXIT.ok, tampered: EXIT.failure, unsealed: 2, usage: EXIT.usage } as const;

function explain(e: unknown): string {
  return isBulwarkError(e) ? `${e.code}: ${e.message}` : describeError(e);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('verify', argv, {
    all: { type: 'boolean', default: false },
    dir: { type: 'string', default: 'recordings' },
    key: { type: 'string' },
    state: { type: 'string', default: 'state' },
    'allow-unsealed': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  }, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.all === (positionals.length > 0)) {
    writeLine(io.stderr, USAGE);
    return EXIT.usage;
  }
  let key;
  try {
    key = await loadPublicKey(values.key ?? join(values.state, PUBLIC_KEY_FILE));
  } catch (e) {
    writeLine(io.stderr, `bulwark verify: ${explain(e)}`);
    return EXIT.failure;
  }
  const targets = values.all ? await recordingIds(values.dir) : positionals;
  let tampered = 0;
  let unsealed = 0;
  for (const target of targets) {
    let r: VerifyResult | { status: 'error'; reason: string };
    try {
      r = await verifyRecording(await resolveRecording(values.dir, target), key);
    } catch (e) {
      r = { status: 'error', reason: explain(e) };
    }
    if (r.status === 'tampered' || r.status === 'error') tampered += 1;
    if (r.status === 'unsealed') unsealed += 1;
    if (values.json) {
      const { header: _h, ...rest } = r as VerifyResult;
      writeLine(io.stdout, JSON.stringify({ id: target, ...rest }));
    } else {
      const label = { sealed: 'SEALED', unsealed: 'UNSEALED', tampered: 'TAMPERED', error: 'ERROR' }[r.status];
      writeLine(io.stdout, `${target}: ${label}: ${r.reason}`);
    }
  }
  if (!values.json) writeLine(io.stderr, `${targets.length} checked: ${targets.length - tampered - unsealed} sealed, ${unsealed} unsealed, ${tampered} tampered or unreadable`);
  if (tampered > 0) return VERIFY_EXIT.tampered;
  if (unsealed > 0 && !values['allow-unsealed']) return VERIFY_EXIT.unsealed;
  return VERIFY_EXIT.ok;
}
