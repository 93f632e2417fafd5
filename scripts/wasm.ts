/**
 * Assembles the project's WebAssembly text sources (the recording's JSON escaper, the masker's literal search) with
 * wabt, pinned to an exact version so that the same text always gives the same bytes. Used by
 * `npm run build:wasm` to write the generated module and by a test that checks it is current.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import wabtInit from 'wabt';

export const WASM_SOURCES = [
  { wat: 'src/recording/escape.wat', out: 'src/recording/escape-wasm.ts', name: 'ESCAPE_WASM' },
  { wat: 'src/masking/literals.wat', out: 'src/masking/literals-wasm.ts', name: 'LITERALS_WASM' },
] as const;

export async function assemble(watFile: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(basename(watFile), readFileSync(watFile, 'utf8'), { simd: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The generated TypeScript module: the bytes as base64, so no loader has to find a file. */
export function generatedModule(source: (typeof WASM_SOURCES)[number], bytes: Uint8Array): string {
  return [
    `// Generated from ${basename(source.wat)} by \`npm run build:wasm\` (scripts/build-wasm.ts); do not edit.`,
    `export const ${source.name} = '${Buffer.from(bytes).toString('base64')}';`,
    '',
  ].join('\n');
}
