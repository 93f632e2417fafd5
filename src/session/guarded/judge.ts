/**
 * Judging one parse unit for a session: intent analysis in the shell's real context (cwd, PATH and
 * functions from the driver's last report), then policy (`exec`, plus `interactive` when the unit
 * starts a program that reads commands of its own). Every judgement is recorded (marker) and
 * audited (`command.judged`). A thrown error anywhere becomes a fail-closed deny.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Decision } from '../../core/decision.js';
import { failClosed } from '../../core/decision.js';
import type { Identity } from '../../core/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { TargetConfig } from '../../config/index.js';
import type { Analyzer } from '../../intent/index.js';
import { judgeLine, type PolicyEngine } from '../../policy/index.js';
import type { RecordingWriter } from '../../recording/index.js';
import { plantedIntents } from './planted.js';

/** What the server hands every session to judge with. */
export interface JudgeServices {
  readonly analyzer: Analyzer;
  /** The engine in force right now (it changes on policy reload). */
  engine(): PolicyEngine;
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
      decision = judgeLine(
        i.services.engine(),
        (l) => {
          const a = i.services.analyzer.analyze(l, ctx === undefined ? { readFile: readScript } : { cwd: ctx.cwd, path: ctx.path, functions: ctx.functions, readFile: readScript });
          interactive = a.interactive ?? [];
          const planted = plantedIntents(a, ctx);
          return planted.length === 0 ? a : { ...a, intents: [...a.intents, ...planted] };
        },
        line,
        {
          principal: { subject: i.identity.subject, kind: i.identity.kind, groups: i.identity.groups },
          target: { name: i.target.name, environment: i.target.environment, labels: i.target.labels },
          context: { now: Date.now(), approved: false, mode: i.mode, sourceAddress: i.identity.source.address, serial: i.identity.serial },
        },
      );
    }
  } catch (err) {
    decision = failClosed(`judgement failed: ${(err as Error).message}`);
  }
  const requestId = decision.verdict === 'review' ? randomBytes(6).toString('hex') : undefined;
  const categories = [...new Set(decision.intents.map((x) => x.category))];
  i.writer?.command({ line, verdict: decision.verdict, rule: decision.rule, categories, reason: decision.reason });
  const fields = { verdict: decision.verdict, rule: decision.rule, categories, line, reason: decision.reason, mode: i.mode, ...(requestId ? { requestId } : {}), ...(interactive.length > 0 ? { interactive } : {}) };
  if (decision.verdict === 'allow') i.log.event('command.judged', fields);
  else i.log.warn('command.judged', fields);
  return { decision, requestId, interactive };
}

/** One line for the user: verdict, category, evidence, rule and reason (and the request id). */
export function describeDecision(j: Judgement): string {
  const d = j.decision;
  const first = d.intents.find((x) => x.category !== undefined);
  const what = first ? ` ${first.category} (${JSON.stringify(first.evidence.text.slice(0, 80))})` : '';
  const head = d.verdict === 'review' ? `held for review${what}, request ${j.requestId ?? '?'}` : `denied${what}`;
  return `bulwark: ${head} by rule ${d.rule}: ${d.reason.replace(/[\u0000-\u001f\u007f]/g, ' ')}`;
}
