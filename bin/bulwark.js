#!/usr/bin/env node
// Entry point of the `bulwark` binary. Sources are TypeScript run through tsx, so a fresh clone
// needs no build step; the Docker image runs the same way.
import { register } from 'tsx/esm/api';

register();
// Before anything else of ours loads: see src/core/v8.ts for why.
const { applyV8Flags } = await import('../src/core/v8.ts');
applyV8Flags({ server: process.argv[2] === 'serve' });
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a finished `serve` may still hold idle handles (watchers, keepalive timers),
// and stdout/stderr to pipes and files are synchronous on Linux, so nothing written is lost.
process.exit(code);
