/** Loading a directory of Cedar policies: parse, validate against the schema, read annotations,
 * preparse into the wasm cache. Any problem rejects the whole set (a half-loaded set could miss a
 * forbid and so allow what it should not). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../core/errors.js';
import type { Obligation } from '../core/decision.js';
import * as cedar from './cedar.js';
import type { CedarValueJson, DetailedError } from './cedar.js';
import { PolicyError, type PolicyErrorCode, type PolicyProblem } from './errors.js';
import { NS, POLICY_ACTIONS, toCedarRequest, type PolicyRequest } from './request.js';
import { byteLength, locateByte, locateChar, splitPolicies } from './source.js';

export const SCHEMA_FILE = 'schema.cedarschema';

/** Annotations bulwark reads itself; every other annotation on a permit becomes an obligation. */
const RESERVED_ANNOTATIONS = new Set(['id', 'reason', 'decision', 'description']);

export type ForbidDecision = 'deny' | 'review';

export interface PolicyInfo {
  /** Key inside the Cedar set: `file:line`, unique by construction. */
  readonly key: string;
  /** The rule name shown in decisions and audit events: `@id`, else the key. */
  readonly rule: string;
  readonly effect: 'permit' | 'forbid';
  /** What a satisfied forbid means; permits carry "deny" and never use it. */
  readonly decision: ForbidDecision;
  readonly reason: string | undefined;
  readonly obligations: readonly Obligation[];
  readonly file: string;
  readonly line: number;
  /** Position in load order (files by name, then by place in the file), for deterministic picks. */
  readonly order: number;
}

export interface PolicySet {
  readonly dir: string;
  readonly files: readonly string[];
  readonly policies: readonly PolicyInfo[];
  /** Context attributes any policy reads ('all' if one uses the whole record). A decision depends
   * on nothing else of the context, which is what makes caching decisions sound. */
  readonly contextAttributes: readonly string[] | 'all';
  /** Validator warnings (e.g. a policy that can never apply); they do not block loading. */
  readonly warnings: readonly string[];
  /** Ids of the preparsed sets in the wasm cache: every policy, and the same without review forbids
   * (what applies once a request is approved). */
  readonly cedarIds: { readonly full: string; readonly approved: string };
  /** Every ancestor of each action, from the schema's `in [...]` (e.g. exec -> [command]). */
  readonly actionAncestors: ReadonlyMap<string, readonly string[]>;
  readonly loadedAt: number;
}

let generation = 0;

interface FileSource {
  readonly file: string;
  readonly text: string;
}

async function readSources(dir: string): Promise<{ schema: string; files: FileSource[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new PolicyError('ERR_POLICY_DIR_UNREADABLE', `cannot read policy directory ${dir}: ${describeError(e)}`, [], { cause: e });
  }
  let schema: string;
  try {
    schema = await readFile(join(dir, SCHEMA_FILE), 'utf8');
  } catch (e) {
    throw new PolicyError('ERR_POLICY_SCHEMA_MISSING', `no readable ${SCHEMA_FILE} in ${dir}: ${describeError(e)}`, [], { cause: e });
  }
  const cedarNames = names.filter((n) => n.endsWith('.cedar')).sort();
  if (cedarNames.length === 0) throw new PolicyError('ERR_POLICY_EMPTY', `no *.cedar policy files in ${dir}`);
  const files = await Promise.all(cedarNames.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })));
  return { schema, files };
}

function problemsAt(file: string, text: string, baseByte: number, errors: readonly DetailedError[]): PolicyProblem[] {
  return errors.map((e) => {
    const loc = e.sourceLocations?.[0];
    const where = loc ? locateByte(text, baseByte + loc.start) : { line: 0, column: 0 };
    const label = loc?.label ? ` (${loc.label})` : '';
    const help = e.help ? ` (${e.help})` : '';
    return { file, ...where, message: `${e.message}${label}${help}` };
  });
}

function obligationsOf(annotations: Readonly<Record<string, string>>): Obligation[] {
  const out: Obligation[] = [];
  for (const [kind, raw] of Object.entries(annotations)) {
    if (RESERVED_ANNOTATIONS.has(kind)) continue;
    for (const value of raw.split(',').map((v) => v.trim())) out.push({ kind, value });
  }
  return out;
}

/** Problems found while reading files, each with the code it would raise; the first code wins so
 * the error names the most basic failure (a syntax error before an annotation mistake). */
class Problems {
  readonly list: PolicyProblem[] = [];
  #code: PolicyErrorCode | undefined;

  add(code: PolicyErrorCode, ...problems: PolicyProblem[]): void {
    this.#code ??= code;
    this.list.push(...problems);
  }

  throwIfAny(summary: string): void {
    if (this.#code !== undefined) throw new PolicyError(this.#code, summary, this.list);
  }
}

interface Pending {
  readonly info: PolicyInfo;
  readonly contextAttributes: ReadonlySet<string> | 'all';
  readonly text: string;
  readonly fileText: string;
  readonly startByte: number;
}

function readFilePolicies(src: FileSource, firstOrder: number, problems: Problems): Pending[] {
  // Templates first: parsed as a static set they would only show up as a confusing syntax error.
  const parts = cedar.countParts(src.text);
  if ('policies' in parts && parts.templates > 0) {
    problems.add('ERR_POLICY_TEMPLATE', { file: src.file, line: 0, column: 0, message: 'policy templates (?principal, ?resource) are not supported' });
    return [];
  }
  const syntax = cedar.checkPolicyText(src.text);
  if (syntax.length > 0 || !('policies' in parts)) {
    problems.add('ERR_POLICY_PARSE', ...problemsAt(src.file, src.text, 0, syntax.length > 0 ? syntax : (parts as readonly DetailedError[])));
    return [];
  }
  const chunks = splitPolicies(src.text);
  if (chunks.length !== parts.policies) {
    problems.add('ERR_POLICY_PARSE', { file: src.file, line: 0, column: 0, message: `found ${chunks.length} policies where Cedar finds ${parts.policies}` });
    return [];
  }
  const out: Pending[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const { line, column } = locateChar(src.text, chunk.start);
    const startByte = byteLength(src.text.slice(0, chunk.start));
    const shape = cedar.shapeOf(chunk.text);
    if (!('effect' in shape)) {
      problems.add('ERR_POLICY_PARSE', ...problemsAt(src.file, src.text, startByte, shape));
      continue;
    }
    const a = shape.annotations;
    const bad = (message: string): void => problems.add('ERR_POLICY_ANNOTATION', { file: src.file, line, column, message });
    let decision: ForbidDecision = 'deny';
    if (a.decision !== undefined) {
      if (shape.effect === 'permit') bad('@decision applies to forbid policies only');
      else if (a.decision === 'deny' || a.decision === 'review') decision = a.decision;
      else bad(`@decision("${a.decision}") must be "deny" or "review"`);
    }
    if (shape.effect === 'forbid' && Object.keys(a).some((k) => !RESERVED_ANNOTATIONS.has(k))) {
      bad('obligation annotations (e.g. @mask) apply to permit policies only');
    }
    if (a.id !== undefined && a.id.trim() === '') bad('@id must not be empty');
    const key = `${src.file}:${line}`;
    const info: PolicyInfo = {
      key,
      rule: a.id ?? key,
      effect: shape.effect,
      decision,
      reason: a.reason,
      obligations: shape.effect === 'permit' ? obligationsOf(a) : [],
      file: src.file,
      line,
      order: firstOrder + i,
    };
    out.push({ info, contextAttributes: shape.contextAttributes, text: chunk.text, fileText: src.text, startByte });
  }
  return out;
}

const SAMPLE: PolicyRequest = {
  action: 'exec',
  principal: { subject: 'sample', kind: 'agent', groups: ['sample'] },
  target: { name: 'sample', environment: 'production', labels: ['sample'] },
  intents: [],
  context: { now: 0, approved: false, mode: 'exec', command: '', sourceAddress: '', serial: '', tty: false, interactive: [] },
};

/** Evaluation runs without the schema (cedar.ts, authorize), so check here, once, that what bulwark
 * builds for each action conforms to it: an edited schema that demands an attribute bulwark does
 * not fill is rejected at load instead of denying every request. Returns the action ancestors. */
function requestShapeFits(dir: string, schema: string): Map<string, string[]> {
  const parents = cedar.actionParents(schema, NS);
  if (!(parents instanceof Map)) throw new PolicyError('ERR_POLICY_SCHEMA_INVALID', `${SCHEMA_FILE} in ${dir} is not a valid schema`, problemsAt(SCHEMA_FILE, schema, 0, parents));
  const problems: PolicyProblem[] = [];
  const ancestors = new Map<string, string[]>();
  const samples = POLICY_ACTIONS.map((action) => toCedarRequest({ ...SAMPLE, action }));
  const contexts: { action: { type: string; id: string }; context: Record<string, CedarValueJson> }[] = [];
  for (const req of samples) {
    if ('invalid' in req) throw new PolicyError('ERR_POLICY_ENGINE', `sample request is invalid: ${req.invalid}`);
    if (!parents.has(req.action.id)) problems.push({ file: SCHEMA_FILE, line: 0, column: 0, message: `the schema does not declare action "${req.action.id}"` });
    else contexts.push({ action: req.action, context: req.context });
  }
  const first = samples[0];
  if (first && !('invalid' in first)) {
    const shapes = cedar.checkRequestShapes(schema, first.entities, contexts);
    for (const e of shapes.errors) problems.push({ file: SCHEMA_FILE, line: 0, column: 0, message: `the principal or target bulwark builds does not fit the schema: ${e.message}` });
    for (const [action, errors] of shapes.perAction) {
      for (const e of errors) problems.push({ file: SCHEMA_FILE, line: 0, column: 0, message: `for action "${action}", the request bulwark builds does not fit the schema: ${e.message}` });
    }
  }
  for (const action of POLICY_ACTIONS) {
    const seen = new Set<string>();
    const todo = [...(parents.get(action) ?? [])];
    while (todo.length > 0) {
      const a = todo.pop() as string;
      if (seen.has(a)) continue;
      seen.add(a);
      todo.push(...(parents.get(a) ?? []));
    }
    ancestors.set(action, [...seen]);
  }
  if (problems.length > 0) throw new PolicyError('ERR_POLICY_SCHEMA_INVALID', `${SCHEMA_FILE} in ${dir} does not match what bulwark provides`, problems);
  return ancestors;
}

/**
 * Loads every `*.cedar` file of `dir` (not subdirectories) and `schema.cedarschema`, validates the
 * policies in strict mode and preparses them. Throws PolicyError listing each problem with file and
 * line; never returns a partial set.
 */
export async function loadPolicySet(dir: string): Promise<PolicySet> {
  const { schema, files } = await readSources(dir);
  const schemaErrors = cedar.checkSchema(schema);
  if (schemaErrors.length > 0) {
    throw new PolicyError('ERR_POLICY_SCHEMA_INVALID', `${SCHEMA_FILE} in ${dir} does not parse`, problemsAt(SCHEMA_FILE, schema, 0, schemaErrors));
  }
  const problems = new Problems();
  const pending: Pending[] = [];
  for (const src of files) pending.push(...readFilePolicies(src, pending.length, problems));
  const byKey = new Map(pending.map((p) => [p.info.key, p]));
  const rules = new Map<string, PolicyInfo>();
  for (const { info } of pending) {
    const other = rules.get(info.rule);
    if (other) problems.add('ERR_POLICY_ANNOTATION', { file: info.file, line: info.line, column: 1, message: `@id("${info.rule}") is already used at ${other.file}:${other.line}` });
    rules.set(info.rule, info);
  }
  problems.throwIfAny(`policy set in ${dir} was rejected`);

  const texts = Object.fromEntries(pending.map((p) => [p.info.key, p.text]));
  const outcome = cedar.validatePolicies(schema, texts);
  const locate = (list: typeof outcome.errors): PolicyProblem[] =>
    list.flatMap(({ policyId, error }) => {
      const p = byKey.get(policyId);
      return p ? problemsAt(p.info.file, p.fileText, p.startByte, [error]) : [{ file: policyId, line: 0, column: 0, message: error.message }];
    });
  if (outcome.other.length > 0) {
    throw new PolicyError('ERR_POLICY_SCHEMA_INVALID', `${SCHEMA_FILE} in ${dir} is not a valid schema`, problemsAt(SCHEMA_FILE, schema, 0, outcome.other));
  }
  if (outcome.errors.length > 0) {
    throw new PolicyError('ERR_POLICY_VALIDATION', `policy set in ${dir} does not match ${SCHEMA_FILE}`, locate(outcome.errors));
  }

  const actionAncestors = requestShapeFits(dir, schema);

  generation += 1;
  const base = `bulwark-${process.pid}-${generation}`;
  const cedarIds = { full: `${base}-full`, approved: `${base}-approved` };
  const approvedTexts = Object.fromEntries(pending.filter((p) => p.info.decision !== 'review' || p.info.effect === 'permit').map((p) => [p.info.key, p.text]));
  const wasmErrors = [...cedar.preparse(cedarIds.full, texts), ...cedar.preparse(cedarIds.approved, approvedTexts)];
  if (wasmErrors.length > 0) throw new PolicyError('ERR_POLICY_ENGINE', `cedar could not preparse ${dir}: ${cedar.describeCedarErrors(wasmErrors)}`);

  const used = new Set<string>();
  let all = false;
  for (const p of pending) {
    if (p.contextAttributes === 'all') all = true;
    else for (const a of p.contextAttributes) used.add(a);
  }
  return Object.freeze({
    dir,
    contextAttributes: all ? 'all' : Object.freeze([...used].sort()),
    files: files.map((f) => f.file),
    policies: Object.freeze(pending.map((p) => p.info)),
    warnings: Object.freeze(locate(outcome.warnings).map((w) => `${w.file}:${w.line}:${w.column}: ${w.message}`)),
    cedarIds,
    actionAncestors,
    loadedAt: Date.now(),
  });
}
