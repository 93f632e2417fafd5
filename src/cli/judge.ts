/**
 * `bulwark judge [--policies DIR] [--kind human|agent] [--user ID] [--groups a,b] [--target NAME]
 * [--ndjson] [--json] [COMMAND]`: intent analysis plus policy for a command line, as the bastion
 * would judge it for an exec request.
 *
 * Single command: prints the decision and exits 0 (allow), 77 (deny, EX_NOPERM) or 75 (review,
 * EX_TEMPFAIL). With --ndjson: every stdin line is a JSON string (the command) or an object
 * {"command","kind","user","groups","target","id"} and yields exactly one JSON line
 * {"verdict","rule","reason","intents","obligations"} in order; anything that goes wrong yields a
 * deny line, never a missing one. Exit 0 once all lines are answered, 78 if the policies did not
 * load (every line was then a deny).
 */
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Decision } from '../core/decision.js';
import { failClosed } from '../core/decision.js';
import { describeError } from '../core/errors.js';
import { PolicyEngine, judgeLine, loadPolicySet, resolveTarget, type AnalyzeLine, type LineRequest } from '../policy/index.js';
import { EXIT, parseCommand, writeLine, type CliIO } from './io.js';

/** The shipped policies, found from this file rather than the working directory. */
export const DEFAULT_POLICIES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

const USAGE = `usage: bulwark judge [--policies DIR] [--kind human|agent] [--user ID] [--groups a,b]
                     [--target NAME] [--json] [--ndjson] [COMMAND | -- WORDS...]
  exit status: 0 allow, 77 deny, 75 review (held for approval), 64 usage`;

export interface JudgeDefaults {
  readonly kind: string;
  readonly user: string;
  readonly groups: readonly string[];
  readonly target: string | undefined;
}

/** Offline judging is not exposed to a flood of hostile lines, and on a busy machine the server's
 * default budget turns scheduling delays into fail-closed denials that have nothing to do with the
 * line; the CLI allows more time so its verdicts depend on the content only. */
export const CLI_TIME_BUDGET_MS = 500;

/** Loads the analyser. Its failure is not fatal: every line then denies with the reason. */
export async function loadAnalyzer(): Promise<AnalyzeLine> {
  try {
    const { createAnalyzer } = await import('../intent/index.js');
    const analyzer = await createAnalyzer({ timeBudgetMs: CLI_TIME_BUDGET_MS });
    return (line) => analyzer.analyze(line);
  } catch (e) {
    const reason = `intent analyser failed to load: ${describeError(e)}`;
    return () => {
      throw new Error(reason);
    };
  }
}

/** Loads the policy set; on failure an engine that denies everything, and the error. */
export async function loadEngine(dir: string): Promise<{ engine: PolicyEngine; error?: unknown }> {
  try {
    return { engine: new PolicyEngine(await loadPolicySet(dir)) };
  } catch (e) {
    return { engine: PolicyEngine.unloaded(`policies in ${dir} did not load: ${describeError(e)}`), error: e };
  }
}

export function judgeCommand(engine: PolicyEngine, analyze: AnalyzeLine, command: string, who: JudgeDefaults, now = Date.now()): Decision {
  const req: LineRequest = {
    principal: { subject: who.user, kind: who.kind, groups: who.groups },
    target: resolveTarget(who.target),
    // As `ssh host 'cmd'` without a pty request: no terminal is attached.
    context: { now, approved: false, mode: 'exec', tty: false },
  };
  return judgeLine(engine, analyze, command, req);
}

export function decisionJson(d: Decision, id?: unknown): Record<string, unknown> {
  return {
    ...(id !== undefined ? { id } : {}),
    verdict: d.verdict,
    rule: d.rule,
    reason: d.reason,
    intents: d.intents.map((i) => ({ category: i.category, severity: i.severity, explanation: i.explanation, evidence: i.evidence, details: i.details })),
    obligations: d.obligations,
  };
}

const stringList = (v: unknown): string[] | undefined => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
};

/** One ndjson input line to one decision. Every failure is a deny that says what was wrong. */
export function judgeNdjsonLine(engine: PolicyEngine, analyze: AnalyzeLine, line: string, defaults: JudgeDefaults): { decision: Decision; id?: unknown } {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (e) {
    return { decision: failClosed(`input line is not JSON: ${describeError(e)}`) };
  }
  if (typeof input === 'string') return { decision: judgeCommand(engine, analyze, input, defaults) };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { decision: failClosed('input line must be a JSON string or an object with "command"') };
  }
  const o = input as Record<string, unknown>;
  const id = o.id;
  if (typeof o.command !== 'string') return { decision: failClosed('"command" must be a string'), id };
  const groups = o.groups === undefined ? defaults.groups : stringList(o.groups);
  if (!groups) return { decision: failClosed('"groups" must be a list of strings'), id };
  for (const k of ['kind', 'user', 'target'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') return { decision: failClosed(`"${k}" must be a string`), id };
  }
  const who: JudgeDefaults = {
    kind: (o.kind as string | undefined) ?? defaults.kind,
    user: (o.user as string | undefined) ?? defaults.user,
    groups,
    target: (o.target as string | undefined) ?? defaults.target,
  };
  return { decision: judgeCommand(engine, analyze, o.command, who), id };
}

function printDecision(io: CliIO, d: Decision): void {
  const lines = [`verdict: ${d.verdict}`, `rule:    ${d.rule}`, `reason:  ${d.reason}`];
  if (d.intents.length > 0) {
    lines.push('intents:');
    for (const i of d.intents) lines.push(`  ${i.category} (${i.severity}) ${JSON.stringify(i.evidence.text)}: ${i.explanation}`);
  }
  for (const o of d.obligations) lines.push(`obligation: ${o.kind}=${o.value}`);
  writeLine(io.stdout, lines.join('\n'));
}

async function runNdjson(io: CliIO, engine: PolicyEngine, analyze: AnalyzeLine, defaults: JudgeDefaults): Promise<void> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    let out: string;
    try {
      const { decision, id } = judgeNdjsonLine(engine, analyze, line, defaults);
      out = JSON.stringify(decisionJson(decision, id));
    } catch (e) {
      out = JSON.stringify(decisionJson(failClosed(`internal error: ${describeError(e)}`)));
    }
    if (!io.stdout.write(`${out}\n`)) await once(io.stdout, 'drain');
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const dashdash = argv.indexOf('--');
  const optionArgs = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const parsed = parseCommand('judge', optionArgs, {
    policies: { type: 'string' },
    kind: { type: 'string', default: 'agent' },
    user: { type: 'string' },
    groups: { type: 'string', default: '' },
    target: { type: 'string' },
    ndjson: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  }, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.kind !== 'human' && values.kind !== 'agent') {
    writeLine(io.stderr, `bulwark judge: --kind must be human or agent\n${USAGE}`);
    return EXIT.usage;
  }
  const words = dashdash < 0 ? positionals : [...positionals, ...argv.slice(dashdash + 1)];
  if (values.ndjson === (words.length > 0)) {
    writeLine(io.stderr, `bulwark judge: give either a COMMAND or --ndjson\n${USAGE}`);
    return EXIT.usage;
  }
  const defaults: JudgeDefaults = {
    kind: values.kind,
    user: values.user ?? io.env.USER ?? 'local',
    groups: stringList(values.groups) ?? [],
    target: values.target,
  };
  const dir = resolve(values.policies ?? DEFAULT_POLICIES);
  const [{ engine, error }, analyze] = await Promise.all([loadEngine(dir), loadAnalyzer()]);
  if (error !== undefined) writeLine(io.stderr, `bulwark judge: ${describeError(error)}`);

  if (values.ndjson) {
    await runNdjson(io, engine, analyze, defaults);
    return error === undefined ? EXIT.ok : EXIT.config;
  }
  const decision = judgeCommand(engine, analyze, words.join(' '), defaults);
  if (values.json) writeLine(io.stdout, JSON.stringify(decisionJson(decision)));
  else printDecision(io, decision);
  if (decision.verdict === 'deny') writeLine(io.stderr, `denied by ${decision.rule}: ${decision.reason}`);
  if (decision.verdict === 'review') writeLine(io.stderr, `held for review by ${decision.rule}: ${decision.reason}`);
  return decision.verdict === 'allow' ? EXIT.ok : decision.verdict === 'review' ? EXIT.tempFail : EXIT.noPerm;
}
