/** Policy tests as data (`bulwark policy test`, like `opa test`): YAML files in `<policies>/tests/`,
 * each case a command line (or explicit intents), a principal and a target, with the expected
 * verdict, rule and obligations. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Decision, Verdict } from '../core/decision.js';
import { VERDICTS } from '../core/decision.js';
import { describeError } from '../core/errors.js';
import { isIntentCategory, type Intent } from '../core/intent.js';
import type { TargetFacts } from './catalog.js';
import type { PolicyEngine } from './engine.js';
import { PolicyError, type PolicyProblem } from './errors.js';
import { judgeLine, type AnalyzeLine } from './judgement.js';
import { POLICY_ACTIONS, type PolicyAction } from './request.js';

export const CASES_DIR = 'tests';

export interface PolicyCase {
  readonly file: string;
  readonly name: string;
  readonly action: PolicyAction;
  /** For exec: analysed like `bulwark judge` does. */
  readonly command?: string;
  /** Given instead of a command, to pin a policy on intents independently of the analyser. */
  readonly intents?: readonly Intent[];
  readonly principal: { readonly kind: string; readonly user: string; readonly groups: readonly string[] };
  /** A catalog name, or the facts themselves. */
  readonly target: string | TargetFacts | undefined;
  readonly approved: boolean;
  readonly mode: 'interactive' | 'exec';
  /** A terminal is attached; default false, as for `bulwark judge` (ssh host 'cmd'). */
  readonly tty: boolean;
  /** For the interactive action: the programs, as the analyser would name them. */
  readonly interactive?: readonly string[];
  readonly expect: { readonly decision: Verdict; readonly rule?: string; readonly obligations?: readonly string[] };
}

export interface CaseResult {
  readonly case: PolicyCase;
  readonly decision: Decision;
  readonly ok: boolean;
  /** One line per mismatch: "decision: expected review, got deny". */
  readonly diff: readonly string[];
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);

function intentOf(raw: unknown): Intent | string {
  if (!isRecord(raw) || !isIntentCategory(raw.category)) return `intent needs a known category, got ${JSON.stringify(raw)}`;
  const d = isRecord(raw.details) ? raw.details : {};
  const text = typeof raw.text === 'string' ? raw.text : '';
  return {
    category: raw.category,
    severity: 'high',
    explanation: `test intent ${raw.category}`,
    evidence: { start: 0, end: text.length, text, path: [] },
    details: {
      ...(strings(d.binaries) ? { binaries: strings(d.binaries) } : {}),
      ...(typeof d.sqlEffect === 'string' ? { sqlEffect: d.sqlEffect } : {}),
      ...(strings(d.tables) ? { tables: strings(d.tables) } : {}),
      ...(strings(d.paths) ? { paths: strings(d.paths) } : {}),
      ...(strings(d.hosts) ? { hosts: strings(d.hosts) } : {}),
    },
  };
}

function caseOf(file: string, raw: unknown, index: number): PolicyCase | string {
  if (!isRecord(raw)) return 'a case must be a mapping';
  const name = typeof raw.name === 'string' ? raw.name : `case ${index + 1}`;
  const action = raw.action ?? 'exec';
  if (!(POLICY_ACTIONS as readonly unknown[]).includes(action)) return `${name}: unknown action ${JSON.stringify(action)}`;
  if (raw.command !== undefined && typeof raw.command !== 'string') return `${name}: command must be a string`;
  let intents: Intent[] | undefined;
  if (raw.intents !== undefined) {
    if (!Array.isArray(raw.intents)) return `${name}: intents must be a list`;
    intents = [];
    for (const i of raw.intents) {
      const intent = intentOf(i);
      if (typeof intent === 'string') return `${name}: ${intent}`;
      intents.push(intent);
    }
  }
  if (action === 'exec' && raw.command === undefined && intents === undefined) return `${name}: an exec case needs a command or intents`;
  const p = isRecord(raw.principal) ? raw.principal : {};
  if (typeof p.kind !== 'string') return `${name}: principal.kind is required`;
  const groups = p.groups === undefined ? [] : strings(p.groups);
  if (!groups) return `${name}: principal.groups must be a list of strings`;
  let target: PolicyCase['target'];
  if (typeof raw.target === 'string' || raw.target === undefined) target = raw.target;
  else if (isRecord(raw.target) && typeof raw.target.name === 'string' && typeof raw.target.environment === 'string') {
    target = { name: raw.target.name, environment: raw.target.environment, labels: strings(raw.target.labels) ?? [] };
  } else return `${name}: target must be a name or {name, environment, labels}`;
  const e = isRecord(raw.expect) ? raw.expect : {};
  if (!(VERDICTS as readonly unknown[]).includes(e.decision)) return `${name}: expect.decision must be allow, deny or review`;
  if (e.rule !== undefined && typeof e.rule !== 'string') return `${name}: expect.rule must be a string`;
  const obligations = e.obligations === undefined ? undefined : strings(e.obligations);
  if (e.obligations !== undefined && !obligations) return `${name}: expect.obligations must be a list of "kind:value"`;
  const mode = raw.mode ?? 'exec';
  if (mode !== 'exec' && mode !== 'interactive') return `${name}: mode must be exec or interactive`;
  if (raw.tty !== undefined && typeof raw.tty !== 'boolean') return `${name}: tty must be true or false`;
  const interactive = raw.interactive === undefined ? undefined : strings(raw.interactive);
  if (raw.interactive !== undefined && !interactive) return `${name}: interactive must be a list of program names`;
  return {
    file,
    name,
    action: action as PolicyAction,
    ...(raw.command !== undefined ? { command: raw.command } : {}),
    ...(intents ? { intents } : {}),
    principal: { kind: p.kind, user: typeof p.user === 'string' ? p.user : `test-${p.kind}`, groups },
    target,
    approved: raw.approved === true,
    mode,
    tty: raw.tty === true,
    ...(interactive ? { interactive } : {}),
    expect: { decision: e.decision as Verdict, ...(e.rule !== undefined ? { rule: e.rule } : {}), ...(obligations ? { obligations } : {}) },
  };
}

/** Reads `<dir>/tests/*.yaml` (and .yml). Throws PolicyError listing every malformed case. */
export async function loadPolicyCases(dir: string): Promise<PolicyCase[]> {
  const casesDir = join(dir, CASES_DIR);
  let names: string[];
  try {
    names = (await readdir(casesDir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    throw new PolicyError('ERR_POLICY_CASES_INVALID', `cannot read policy tests in ${casesDir}: ${describeError(e)}`, [], { cause: e });
  }
  const problems: PolicyProblem[] = [];
  const cases: PolicyCase[] = [];
  for (const file of names) {
    let doc: unknown;
    try {
      doc = parseYaml(await readFile(join(casesDir, file), 'utf8'));
    } catch (e) {
      problems.push({ file: `${CASES_DIR}/${file}`, line: 0, column: 0, message: describeError(e) });
      continue;
    }
    const list = isRecord(doc) ? doc.cases : undefined;
    if (!Array.isArray(list)) {
      problems.push({ file: `${CASES_DIR}/${file}`, line: 0, column: 0, message: 'expected a top-level "cases:" list' });
      continue;
    }
    list.forEach((raw, i) => {
      const c = caseOf(`${CASES_DIR}/${file}`, raw, i);
      if (typeof c === 'string') problems.push({ file: `${CASES_DIR}/${file}`, line: 0, column: 0, message: c });
      else cases.push(c);
    });
  }
  if (problems.length > 0) throw new PolicyError('ERR_POLICY_CASES_INVALID', 'policy test cases are malformed', problems);
  if (cases.length === 0) throw new PolicyError('ERR_POLICY_CASES_INVALID', `no policy test cases in ${casesDir}`);
  return cases;
}

export interface CaseDeps {
  readonly analyze: AnalyzeLine;
  readonly resolveTarget: (name?: string) => TargetFacts;
  /** Time of the simulated request, ms (default: now). */
  readonly now?: number;
}

export function runPolicyCase(engine: PolicyEngine, c: PolicyCase, deps: CaseDeps): CaseResult {
  const target = typeof c.target === 'object' ? c.target : deps.resolveTarget(c.target);
  const req = {
    principal: { subject: c.principal.user, kind: c.principal.kind, groups: c.principal.groups },
    target,
    context: {
      now: deps.now ?? Date.now(),
      approved: c.approved,
      mode: c.mode,
      tty: c.tty,
      ...(c.command !== undefined ? { command: c.command } : {}),
      ...(c.interactive ? { interactive: c.interactive } : {}),
    },
  };
  const decision =
    c.intents === undefined && c.action === 'exec' && c.command !== undefined
      ? judgeLine(engine, deps.analyze, c.command, req)
      : engine.evaluate({ ...req, action: c.action, intents: c.intents ?? [] });
  const diff: string[] = [];
  if (decision.verdict !== c.expect.decision) diff.push(`decision: expected ${c.expect.decision}, got ${decision.verdict}`);
  if (c.expect.rule !== undefined && decision.rule !== c.expect.rule) diff.push(`rule: expected ${c.expect.rule}, got ${decision.rule}`);
  if (c.expect.obligations !== undefined) {
    const got = decision.obligations.map((o) => `${o.kind}:${o.value}`).sort();
    const want = [...c.expect.obligations].sort();
    if (got.join(',') !== want.join(',')) diff.push(`obligations: expected [${want.join(', ')}], got [${got.join(', ')}]`);
  }
  if (diff.length > 0) diff.push(`reason: ${decision.reason}`, `intents: [${decision.intents.map((i) => `${i.category}: ${i.explanation}`).join('; ')}]`);
  return { case: c, decision, ok: diff.length === 0, diff };
}
