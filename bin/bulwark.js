#!/usr/bin/env node
// Entry point of the `bulwark` binary. Sources are TypeScript run through tsx, so a fresh clone
// needs no build step; the Docker image runs the same way.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

if (process.argv[2] === 'serve' && process.env.BULWARK_INCREMENTAL_MARKING !== '1') {
  // The server's heap is small (~30 MB) while tens of MB of output buffers pass through it each
  // second; V8 counts that external memory against the old generation's limit, and with
  // incremental marking it often fell into back-to-back major GCs (40-80 per 512 MiB of exec
  // output, about 2 s of CPU per GiB: bench/ssh.bench.ts, docs/recordings.md). Atomic major GCs
  // of a heap this size are short and, measured, rare; a server with a heap of hundreds of MB
  // (thousands of sessions) may prefer V8's default: BULWARK_INCREMENTAL_MARKING=1
  // (docs/configuration.md). Set first thing, before any marking starts.
  setFlagsFromString('--no-incremental-marking');
}
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a finished `serve` may still hold idle handles (watchers, keepalive timers),
// and stdout/stderr to pipes and files are synchronous on Linux, so nothing written is lost.
process.exit(code);
