/**
 * `npm run bench`: runs every bench/*.bench.ts in name order. Each exports `run()` and prints its
 * own figures with the machine's conditions; nothing here asserts a timing.
 *
 * Each bench runs in a process of its own (`bench/run.ts --one FILE`), with bulwark's V8 settings
 * (src/core/v8.ts): one bench's JIT and heap state then cannot colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { applyV8Flags } from '../src/core/v8.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);

if (args[0] === '--one') {
  applyV8Flags({ server: false });
  const mod = (await import(pathToFileURL(join(here, args[1] ?? '')).href)) as { run: () => Promise<void> };
  await mod.run();
} else {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => args.length === 0 || args.some((o) => f.startsWith(o)))
    .sort();
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `machine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  let failed = 0;
  for (const f of files) {
    console.log(`\n== ${f.replace('.bench.ts', '')} ==`);
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', f], { stdio: 'inherit' });
    if (r.status !== 0) {
      failed += 1;
      console.log(`(bench ${f} failed: ${r.signal ?? `exit ${r.status}`})`);
    }
  }
  process.exitCode = failed === 0 ? 0 : 1;
}
