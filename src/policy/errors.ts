import { BulwarkError } from '../core/errors.js';

/** Stable codes of src/policy/ (documented in docs/errors/policy.md). */
export type PolicyErrorCode =
  | 'ERR_POLICY_DIR_UNREADABLE'
  | 'ERR_POLICY_SCHEMA_MISSING'
  | 'ERR_POLICY_SCHEMA_INVALID'
  | 'ERR_POLICY_EMPTY'
  | 'ERR_POLICY_PARSE'
  | 'ERR_POLICY_VALIDATION'
  | 'ERR_POLICY_ANNOTATION'
  | 'ERR_POLICY_TEMPLATE'
  | 'ERR_POLICY_ENGINE'
  | 'ERR_POLICY_CASES_INVALID';

/** Where a problem sits in the policy sources. Line and column are 1-based; 0 when unknown. */
export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatProblem(p: PolicyProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.message}`;
}

/** A policy set (or its test cases) could not be loaded. Carries every problem found, not just the
 * first, so an operator fixes a broken file in one pass. */
export class PolicyError extends BulwarkError<PolicyErrorCode> {
  readonly problems: readonly PolicyProblem[];

  constructor(code: PolicyErrorCode, summary: string, problems: readonly PolicyProblem[] = [], options?: { cause?: unknown }) {
    const detail = problems.map((p) => `\n  ${formatProblem(p)}`).join('');
    super(code, `${summary}${detail}`, options);
    this.problems = problems;
  }
}
