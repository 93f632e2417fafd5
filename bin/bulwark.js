#!/usr/bin/env node
// Entry point of the `bulwark` binary. Sources are TypeScript run through tsx, so a fresh clone
// needs no build step; the Docker image runs the same way.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
