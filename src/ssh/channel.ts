/** Adapts an ssh2 server channel to session/'s SessionChannel. */
import type { ServerChannel } from 'ssh2';
import type { ExitInfo } from '../pty/index.js';
import type { SessionChannel } from '../session/index.js';

export function adaptChannel(ch: ServerChannel): SessionChannel {
  let exited = false;
  let closed = false;
  ch.on('close', () => {
    closed = true;
  });
  // A client that vanishes makes writes fail; the session notices through onClose.
  ch.on('error', () => undefined);
  ch.stderr.on('error', () => undefined);
  return {
    write: (d) => (closed ? true : ch.write(d)),
    writeStderr: (d) => (closed ? true : ch.stderr.write(d)),
    onData: (cb) => ch.on('data', cb),
    onEnd: (cb) => ch.on('end', cb),
    onClose: (cb) => ch.on('close', cb),
    onDrain: (cb) => ch.on('drain', cb),
    exit: (info: ExitInfo) => {
      if (exited || closed) return;
      exited = true;
      if (info.signal !== undefined) ch.exit(info.signal, false, '');
      else ch.exit(info.code ?? 0);
      ch.end();
    },
  };
}
