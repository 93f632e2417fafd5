import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASM_SOURCES, assemble, generatedModule } from '../scripts/wasm.js';
import { ROOT } from './support/bulwark.js';

describe('generated WebAssembly modules', () => {
  for (const s of WASM_SOURCES) {
    it(`${s.out} is ${s.wat} as assembled now (run \`npm run build:wasm\` if not)`, async () => {
      const bytes = await assemble(join(ROOT, s.wat));
      expect(readFileSync(join(ROOT, s.out), 'utf8')).toBe(generatedModule(s, bytes));
    });
  }
});
