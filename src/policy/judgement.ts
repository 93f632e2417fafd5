/** A command line judged end to end: analysis (injected, so this module stays free of the parser)
 * then policy for `exec`, and for `interactive` when the line starts a program that reads commands
 * of its own. Used by `bulwark judge`, `bulwark policy test` and the benchmark. */
import type { Decision, Obligation } from '../core/decision.js';
import { failClosed, stricter } from '../core/decision.js';
import { describeError } from '../core/errors.js';
import type { Intent } from '../core/intent.js';
import type { PolicyEngine } from './engine.js';
import type { PolicyRequest } from './request.js';

/** The part of the analyser's result the judgement needs (src/intent's Analysis fits it). */
export interface LineAnalysis {
  readonly complete: boolean;
  readonly intents: readonly Intent[];
  /** Programs started that read commands of their own (psql without -c, bash, ssh HOST). */
  readonly interactive?: readonly string[];
}

export type AnalyzeLine = (line: string) => LineAnalysis;

export type LineRequest = Omit<PolicyRequest, 'action' | 'intents'>;

export function judgeLine(engine: PolicyEngine, analyze: AnalyzeLine, command: string, req: LineRequest): Decision {
  let analysis: LineAnalysis;
  try {
    analysis = analyze(command);
  } catch (e) {
    return failClosed(`analysis failed: ${describeError(e)}`);
  }
  if (!analysis.complete) {
    return failClosed('the command line is incomplete (open quote, here-document or continuation)', analysis.intents);
  }
  const context = { ...req.context, command, interactive: analysis.interactive ?? [] };
  const exec = engine.evaluate({ ...req, action: 'exec', intents: analysis.intents, context });
  if (!analysis.interactive || analysis.interactive.length === 0) return exec;
  const interactive = engine.evaluate({ ...req, action: 'interactive', intents: analysis.intents, context });
  return combine(exec, interactive);
}

/** The stricter of two decisions about one line; on a tie the first keeps its rule, and two allows
 * carry the obligations of both. */
export function combine(a: Decision, b: Decision): Decision {
  if (stricter(a.verdict, b.verdict) !== a.verdict) return b;
  if (a.verdict !== 'allow' || b.verdict !== 'allow') return a;
  const seen = new Set(a.obligations.map((o) => `${o.kind}\u0000${o.value}`));
  const extra: Obligation[] = b.obligations.filter((o) => !seen.has(`${o.kind}\u0000${o.value}`));
  return extra.length === 0 ? a : { ...a, obligations: [...a.obligations, ...extra] };
}
