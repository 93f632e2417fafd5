/**
 * `bulwark replay ID [--dir DIR] [--speed N] [--idle-limit S] [--follow]`: play a recording in the
 * terminal in real time. Keys when stdin is a terminal: space pause/resume, n/p next/previous
 * marker, q quit. --follow keeps playing a recording that is still being written until it is
 * sealed (or q). When stdin is not a terminal it just plays. The current marker is shown in the
 * terminal title so the replayed screen stays untouched.
 * Exit status: 0 played, 1 not found or unreadable, 64 usage.
 */
import { emitKeypressEvents } from 'node:readline';
import { describeError, isBulwarkError } from '../core/errors.js';
import { CastPlayer, CastTail, resolveRecording } from '../recording/index.js';
import { EXIT, parseCommand, writeLine, type CliIO } from './io.js';

const USAGE = 'usage: bulwark replay ID [--dir DIR] [--speed N] [--idle-limit SECONDS] [--follow]';
const POLL_MS = 250;

type TtyIn = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };

export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('replay', argv, {
    dir: { type: 'string', default: 'recordings' },
    speed: { type: 'string', default: '1' },
    'idle-limit': { type: 'string' },
    follow: { type: 'boolean', short: 'f', default: false },
    help: { type: 'boolean', short: 'h' },
  }, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const speed = Number(values.speed);
  const idle = values['idle-limit'] === undefined ? undefined : Number(values['idle-limit']);
  if (positionals.length !== 1 || !(speed > 0) || (idle !== undefined && !(idle > 0))) {
    writeLine(io.stderr, USAGE);
    return EXIT.usage;
  }
  let tail: CastTail;
  let first;
  try {
    tail = new CastTail(await resolveRecording(values.dir, positionals[0] ?? ''));
    first = await tail.read();
  } catch (e) {
    writeLine(io.stderr, `bulwark replay: ${isBulwarkError(e) ? `${e.code}: ${e.message}` : describeError(e)}`);
    return EXIT.failure;
  }
  if (tail.header === undefined) {
    writeLine(io.stderr, `bulwark replay: ${tail.file} has no asciicast v2 header`);
    return EXIT.failure;
  }

  const out = io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
  const title = (s: string): void => {
    if (out.isTTY === true) out.write(`\u001b]2;${s.replace(/[\u0000-\u001f\u007f]/g, ' ')}\u0007`);
  };
  const player = new CastPlayer({
    speed,
    ...(idle === undefined ? {} : { idleLimit: idle }),
    write: (s) => out.write(s),
    onMarker: (i, total, label) => title(`bulwark replay ${tail.header?.bulwark.id ?? ''} [${i + 1}/${total}] ${label}`),
  });
  player.push(first);

  let poll: NodeJS.Timeout | undefined;
  if (values.follow && !tail.sealed) {
    poll = setInterval(() => {
      tail
        .read()
        .then((evs) => {
          player.push(evs);
          if (tail.sealed) {
            clearInterval(poll);
            player.finish();
          }
        })
        .catch((e: unknown) => {
          clearInterval(poll);
          writeLine(io.stderr, `bulwark replay: stopped following: ${describeError(e)}`);
          player.finish();
        });
    }, POLL_MS);
  } else {
    player.finish();
  }

  const stdin = io.stdin as TtyIn;
  const keys = stdin.isTTY === true;
  const onKey = (str: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void => {
    if (key?.name === 'q' || (key?.ctrl === true && key.name === 'c')) player.quit();
    else if (key?.name === 'space' || str === ' ') player.togglePause();
    else if (key?.name === 'n') player.nextMarker();
    else if (key?.name === 'p') player.prevMarker();
  };
  if (keys) {
    emitKeypressEvents(stdin);
    stdin.setRawMode?.(true);
    stdin.on('keypress', onKey);
    stdin.resume();
  }
  try {
    await player.play();
  } finally {
    if (poll !== undefined) clearInterval(poll);
    if (keys) {
      stdin.off('keypress', onKey);
      stdin.setRawMode?.(false);
      stdin.pause();
    }
  }
  return EXIT.ok;
}
