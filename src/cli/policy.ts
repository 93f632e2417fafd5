/**
 * `bulwark policy validate [--policies DIR]` and `bulwark policy test [--policies DIR] [--verbose]`:
 * check a policy directory before deploying it, and run the test cases kept in DIR/tests/*.yaml
 * through the same analysis and engine as `bulwark judge` (like `opa test`).
 * Exit status: 0 ok, 65 the policies or cases do not load, 1 a test case failed, 64 usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../core/errors.js';
import {
  PolicyEngine,
  PolicyError,
  cedarVersion,
  loadPolicyCases,
  loadPolicySet,
  resolveTarget,
  runPolicyCase,
  type PolicySet,
} from '../policy/index.js';
import { EXIT, writeLine, type CliIO } from './io.js';
import { DEFAULT_POLICIES, loadAnalyzer } from './judge.js';

const USAGE = `usage: bulwark policy validate [--policies DIR]
       bulwark policy test [--policies DIR] [--verbose]`;

async function loadOrReport(io: CliIO, dir: string): Promise<PolicySet | undefined> {
  try {
    return await loadPolicySet(dir);
  } catch (e) {
    writeLine(io.stderr, `bulwark policy: ${e instanceof PolicyError ? `${e.code}: ${e.message}` : describeError(e)}`);
    return undefined;
  }
}

async function validate(io: CliIO, dir: string): Promise<number> {
  const set = await loadOrReport(io, dir);
  if (!set) return EXIT.dataErr;
  for (const w of set.warnings) writeLine(io.stderr, `warning: ${w}`);
  writeLine(io.stdout, `ok: ${set.policies.length} policies in ${set.files.length} files validate against the schema (cedar ${cedarVersion()})`);
  return EXIT.ok;
}

async function test(io: CliIO, dir: string, verbose: boolean): Promise<number> {
  const set = await loadOrReport(io, dir);
  if (!set) return EXIT.dataErr;
  let cases;
  try {
    cases = await loadPolicyCases(dir);
  } catch (e) {
    writeLine(io.stderr, `bulwark policy: ${e instanceof PolicyError ? `${e.code}: ${e.message}` : describeError(e)}`);
    return EXIT.dataErr;
  }
  const engine = new PolicyEngine(set);
  const analyze = await loadAnalyzer();
  let failed = 0;
  for (const c of cases) {
    const r = runPolicyCase(engine, c, { analyze, resolveTarget });
    if (r.ok) {
      if (verbose) writeLine(io.stdout, `ok    ${c.file}: ${c.name} -> ${r.decision.verdict} (${r.decision.rule})`);
      continue;
    }
    failed += 1;
    writeLine(io.stdout, `FAIL  ${c.file}: ${c.name}${c.command !== undefined ? `\n      command: ${c.command}` : ''}`);
    for (const d of r.diff) writeLine(io.stdout, `      ${d}`);
  }
  writeLine(io.stdout, `${cases.length - failed} passed, ${failed} failed (${cases.length} cases)`);
  return failed === 0 ? EXIT.ok : EXIT.failure;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: { policies: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false } },
    }));
  } catch (e) {
    writeLine(io.stderr, `bulwark policy: ${describeError(e)}\n${USAGE}`);
    return EXIT.usage;
  }
  const dir = resolve(values.policies ?? DEFAULT_POLICIES);
  if (sub === 'validate') return validate(io, dir);
  if (sub === 'test') return test(io, dir, values.verbose);
  writeLine(sub === '--help' || sub === '-h' ? io.stdout : io.stderr, USAGE);
  return sub === '--help' || sub === '-h' ? EXIT.ok : EXIT.usage;
}
