/** The intent vocabulary shared by the analyser (intent/) and the policy engine (policy/). The
 * category names are part of the external contract (DESIGN.md). */
export const INTENT_CATEGORIES = [
  'destroy.filesystem',
  'destroy.database',
  'bulk.delete',
  'destroy.cloud',
  'exfiltration',
  'secrets.read',
  'privilege.escalation',
  'persistence',
  'system.disrupt',
  'audit.tamper',
  'evasion',
] as const;
export type IntentCategory = (typeof INTENT_CATEGORIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isIntentCategory(value: unknown): value is IntentCategory {
  return typeof value === 'string' && (INTENT_CATEGORIES as readonly string[]).includes(value);
}

/** Where in the submitted line an intent was found, and through which wrappers. */
export interface Evidence {
  /** Byte-free character offsets into the analysed line (UTF-16 indices of the JS string). */
  readonly start: number;
  readonly end: number;
  /** The source text of the span. */
  readonly text: string;
  /** Unwrapped path from the outer command to the judged one, e.g. ["sudo", "bash -c", "rm"]. */
  readonly path: readonly string[];
}

/** Facts the policy can match on besides the category. All optional; absent means unknown. */
export interface IntentDetails {
  readonly binaries?: readonly string[];
  /** SQL effect: e.g. "drop", "truncate", "delete", "update", "copy-program", "multi". */
  readonly sqlEffect?: string;
  readonly tables?: readonly string[];
  readonly paths?: readonly string[];
  readonly hosts?: readonly string[];
}

export interface Intent {
  readonly category: IntentCategory;
  readonly severity: Severity;
  /** One human line: what this would do. */
  readonly explanation: string;
  readonly evidence: Evidence;
  readonly details: IntentDetails;
}
