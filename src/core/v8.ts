/**
 * V8 settings every bulwark process runs with, applied by bin/bulwark.js before any of our code
 * or its WebAssembly loads (and by the test and bench runners, which run the same code).
 *
 * Trust boundary: none. Known limits: V8 flags changed after start-up are honoured for what
 * V8 compiles or collects afterwards, which is why this runs first; they are process-wide.
 */
import { setFlagsFromString } from 'node:v8';

export function applyV8Flags(opts: { server: boolean }): void {
  // Node 20.20's V8 inlines JS->Wasm calls into optimised code, and deoptimising such a call
  // site can reach an unreachable branch (Deoptimizer::TranslatedValueForWasmReturnKind) that
  // aborts the whole process. The judge calls Wasm on every command (cedar-wasm, libpg-query):
  // running the intent, line-editor, masking and policy benches in one process crashed every
  // time; with inlining off, never. The calls cost a wrapper each, which the judge's figures do
  // not show.
  setFlagsFromString('--no-turbo-inline-js-wasm-calls');
  if (opts.server && process.env['BULWARK_INCREMENTAL_MARKING'] !== '1') {
    // The server's heap is small (~30 MB) while tens of MB of output buffers pass through it
    // each second; V8 counts that external memory against the old generation's limit, and with
    // incremental marking it often fell into back-to-back major GCs (40-80 per 512 MiB of exec
    // output, about 2 s of CPU per GiB: bench/ssh.bench.ts, docs/recordings.md). Atomic major
    // GCs of a heap this size are short and, measured, rare; a server whose heap has grown to
    // hundreds of MB may prefer V8's default (docs/configuration.md, Process).
    setFlagsFromString('--no-incremental-marking');
  }
}
