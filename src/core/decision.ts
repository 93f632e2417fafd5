import type { Intent } from './intent.js';

/** A judgement. Denials are values, never exceptions. Precedence: deny > review > allow. */
export const VERDICTS = ['allow', 'deny', 'review'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Extra duties attached to an allow, e.g. masking detectors to run on output. */
export interface Obligation {
  readonly kind: string;
  readonly value: string;
}

export interface Decision {
  readonly verdict: Verdict;
  /** Id of the determining rule (policy `@id`), or a built-in id such as "bulwark.fail-closed". */
  readonly rule: string;
  /** Message for the user and the audit log. */
  readonly reason: string;
  readonly intents: readonly Intent[];
  readonly obligations: readonly Obligation[];
}

const RANK: Record<Verdict, number> = { allow: 0, review: 1, deny: 2 };

/** The stricter of two verdicts. */
export function stricter(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A deny produced by bulwark itself rather than a policy, for fail-closed paths. */
export function failClosed(reason: string, intents: readonly Intent[] = []): Decision {
  return { verdict: 'deny', rule: 'bulwark.fail-closed', reason, intents, obligations: [] };
}
