/**
 * Judging one parse unit for a session: intent analysis in the shell's real context (cwd, PATH and
 * functions from the driver's last report), then policy (`exec`, plus `interactive` when the unit
 * starts a program that reads commands of its own). Every judgement is recorded (marker) and
 * audited (`command.judged`). A `review` either uses up an approval of exactly this line by this
 * requester on this target (Judgement.consumed: it may run) or opens a review request whose id
 * the caller shows (../review.ts). A thrown error anywhere, the approval store's included, becomes
 * a fail-closed deny.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Decision } from '../../core/decision.js';
import { failClosed } from '../../core/decision.js';
import type { Identity } from '../../core/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { TargetConfig } from '../../config/index.js';
import type { Analyzer } from '../../intent/index.js';
import { judgeLine, requestFacts, type PolicyEngine } from '../../policy/index.js';
import { commandHash } from '../../approvals/index.js';
import type { ApprovalServices } from '../review.js';
import type { RecordingWriter } from '../../recording/index.js';
import { plantedIntents } from './planted.js';

/** What the server hands every session to judge with. */
export interface JudgeServices {
  readonly analyzer: Analyzer;
  /** The engine in force right now (it changes on policy reload). */
  engine(): PolicyEngine;
  /** Review requests; without it a review is held like a deny with an id nothing stores. */
  readonly approvals?: ApprovalServices | undefined;
}

export interface ShellContext {
  readonly cwd: string;
  readonly path: string;
  readonly functions: ReadonlyMap<string, string>;
}

export interface Judgement {
  readonly decision: Decision;
  /** Set for review: the id the approval will refer to. */
  readonly requestId: string | undefined;
  /** A review whose approval for exactly this command was found and used up: it may run now. */
  readonly consumed: boolean;
  /** Programs started that read commands of their own (the session is then unguarded). */
  readonly interactive: readonly string[];
}

export interface JudgeInput {
  readonly services: JudgeServices;
  readonly identity: Identity;
  readonly target: TargetConfig;
  readonly mode: 'interactive' | 'exec';
  readonly log: AuditLog;
  readonly writer: RecordingWriter | undefined;
  /** What the requester said about why (BULWARK_REASON), stored on a review request. */
  readonly reason?: string | undefined;
  readonly session?: string | undefined;
}

const MAX_SCRIPT = 256 * 1024;

/** Lets the analyser read a script the line runs (`sh ./x.sh`); only small regular files. */
function readScript(path: string): string | undefined {
  try {
    const s = statSync(path);
    if (!s.isFile() || s.size > MAX_SCRIPT) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Control characters other than \n and \t are refused before analysis (invariant 1). */
export function hasControl(line: string): boolean {
  return /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(line);
}

export function judgeUnit(i: JudgeInput, line: string, ctx: ShellContext | undefined): Judgement {
  let interactive: readonly string[] = [];
  let decision: Decision;
  try {
    if (hasControl(line)) {
      decision = failClosed('the line contains control characters');
    } else {
      const facts = requestFacts(i.identity, i.target);
      decision = judgeLine(
        i.services.engine(),
        (l) => {
          const a = i.services.analyzer.analyze(l, ctx === undefined ? { readFile: readScript } : { cwd: ctx.cwd, path: ctx.path, functions: ctx.functions, readFile: readScript });
          interactive = a.interactive ?? [];
          const planted = plantedIntents(a, ctx);
          return planted.length === 0 ? a : { ...a, intents: [...a.intents, ...planted] };
        },
        line,
        { ...facts, context: { ...facts.context, mode: i.mode } },
      );
    }
  } catch (err) {
    decision = failClosed(`judgement failed: ${(err as Error).message}`);
  }
  let requestId: string | undefined;
  let consumed = false;
  if (decision.verdict === 'review') {
    try {
      ({ requestId, consumed } = openOrConsume(i, line, decision));
    } catch (err) {
      decision = failClosed(`the approval store is unavailable: ${(err as Error).message}`, decision.intents);
    }
  }
  const categories = [...new Set(decision.intents.map((x) => x.category))];
  i.writer?.command({ line, verdict: decision.verdict, rule: decision.rule, categories, reason: decision.reason });
  if (requestId !== undefined && i.services.approvals) i.writer?.note(consumed ? 'review.consumed' : 'review.requested', { id: requestId });
  const fields = { verdict: decision.verdict, rule: decision.rule, categories, line, reason: decision.reason, mode: i.mode, ...(requestId ? { requestId, consumed } : {}), ...(interactive.length > 0 ? { interactive } : {}) };
  if (decision.verdict === 'allow') i.log.event('command.judged', fields);
  else i.log.warn('command.judged', fields);
  return { decision, requestId, interactive, consumed };
}

/** A review: use up an approval of exactly these bytes by this requester on this target, or
 * open a new request. Throws if the store cannot be written (the caller fails closed). */
function openOrConsume(i: JudgeInput, line: string, decision: Decision): { requestId: string; consumed: boolean } {
  const store = i.services.approvals?.store;
  if (store === undefined) return { requestId: randomBytes(6).toString('hex'), consumed: false }; // same shape as the store's ids
  const used = store.consume(i.identity.subject, i.target.name, commandHash(line));
  if (used !== undefined) return { requestId: used.id, consumed: true };
  const r = store.create({
    requester: { subject: i.identity.subject, kind: i.identity.kind, groups: i.identity.groups, serial: i.identity.serial },
    target: i.target.name,
    command: line,
    mode: i.mode,
    intents: decision.intents,
    rule: decision.rule,
    ruleReason: decision.reason,
    reason: i.reason,
    session: i.session,
    recording: i.writer?.id,
  });
  return { requestId: r.id, consumed: false };
}

/** One line for the user: verdict, category, evidence, rule and reason (and the request id). */
export function describeDecision(j: Judgement): string {
  const d = j.decision;
  const first = d.intents.find((x) => x.category !== undefined);
  const what = first ? ` ${first.category} (${JSON.stringify(first.evidence.text.slice(0, 80))})` : '';
  const head = d.verdict !== 'review' ? `denied${what}` : j.consumed ? `approved by review ${j.requestId ?? '?'}${what}` : `held for review${what}, request ${j.requestId ?? '?'}`;
  return `bulwark: ${head} by rule ${d.rule}: ${d.reason.replace(/[\u0000-\u001f\u007f]/g, ' ')}`;
}
