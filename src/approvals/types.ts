/**
 * The vocabulary of review requests: what a held command is, who asked, who decided. Plain data,
 * JSON-serialisable as is (the store writes these objects to disk and the web console sends them).
 */
import type { Intent } from '../core/intent.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'consumed', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Statuses a request never leaves. */
export const FINAL_STATUSES: ReadonlySet<ApprovalStatus> = new Set(['denied', 'expired', 'consumed', 'cancelled']);

export interface Requester {
  readonly subject: string;
  readonly kind: 'human' | 'agent';
  readonly groups: readonly string[];
  /** Certificate serial the request was made with. */
  readonly serial: string;
}

export interface Approver {
  readonly subject: string;
  readonly kind: 'human' | 'agent';
  readonly groups: readonly string[];
}

export interface ApprovalDecision {
  readonly by: string;
  readonly verdict: 'approve' | 'deny';
  readonly comment: string | undefined;
  /** ms since the epoch */
  readonly at: number;
}

export interface ApprovalRequest {
  /** 12 lower-case hex characters, e.g. `fae57760daff`. */
  readonly id: string;
  readonly requester: Requester;
  readonly target: string;
  /** The exact bytes judged (UTF-8 of this string) and their SHA-256, hex. */
  readonly command: string;
  readonly commandHash: string;
  readonly mode: 'interactive' | 'exec';
  readonly intents: readonly Intent[];
  readonly rule: string;
  /** The policy's reason for holding it. */
  readonly ruleReason: string;
  /** Why the requester wants it (BULWARK_REASON or typed at the prompt); undefined if not given. */
  readonly reason: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: ApprovalStatus;
  readonly decisions: readonly ApprovalDecision[];
  readonly requiredApprovals: number;
  /** Session and recording the request was made in, for the console's links. */
  readonly session: string | undefined;
  readonly recording: string | undefined;
  /** When it left pending/approved (decided, consumed, cancelled, expired), and by whom. */
  readonly closedAt: number | undefined;
  readonly closedBy: string | undefined;
}

export interface CreateInput {
  readonly requester: Requester;
  readonly target: string;
  readonly command: string;
  readonly mode: 'interactive' | 'exec';
  readonly intents: readonly Intent[];
  readonly rule: string;
  readonly ruleReason: string;
  readonly reason?: string | undefined;
  readonly session?: string | undefined;
  readonly recording?: string | undefined;
}

/** Anything shaped like a policy Decision: only `allowed` and `reason` are read. */
export interface MayApprove {
  readonly allowed: boolean;
  readonly reason: string;
}

export type DecideResult = { readonly ok: true; readonly request: ApprovalRequest } | { readonly ok: false; readonly code: string; readonly message: string };
