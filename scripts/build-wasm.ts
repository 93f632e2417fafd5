/** `npm run build:wasm`: regenerates the TypeScript modules that carry assembled .wat sources. */
import { writeFileSync } from 'node:fs';
import { WASM_SOURCES, assemble, generatedModule } from './wasm.js';

for (const s of WASM_SOURCES) {
  const bytes = await assemble(s.wat);
  writeFileSync(s.out, generatedModule(s, bytes));
  console.log(`${s.out}: ${bytes.length} bytes from ${s.wat}`);
}
