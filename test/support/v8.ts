// vitest setup file: the tests run bulwark's code in their own processes, so they run it with
// the same V8 settings as bin/bulwark.js (src/core/v8.ts).
import { applyV8Flags } from '../../src/core/v8.js';

applyV8Flags({ server: false });
