/** Builders shared by this folder's tests: intents, requests and throwaway policy directories. Not
 * re-exported from index.ts. */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Intent, IntentCategory, IntentDetails } from '../core/intent.js';
import type { PolicyRequest } from './request.js';

export const SHIPPED_POLICIES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

export function intent(category: IntentCategory, details: IntentDetails = {}): Intent {
  return { category, severity: 'high', explanation: `test ${category}`, evidence: { start: 0, end: 0, text: '', path: [] }, details };
}

export interface RequestOverrides {
  action?: PolicyRequest['action'];
  kind?: string;
  subject?: string;
  groups?: string[];
  environment?: string;
  target?: string;
  labels?: string[];
  intents?: Intent[];
  approved?: boolean;
  mode?: 'interactive' | 'exec';
  now?: number;
  command?: string;
  tty?: boolean;
  interactive?: string[];
}

export function request(o: RequestOverrides = {}): PolicyRequest {
  return {
    action: o.action ?? 'exec',
    principal: { subject: o.subject ?? 'someone@example.com', kind: o.kind ?? 'agent', groups: o.groups ?? [] },
    target: { name: o.target ?? 'box', environment: o.environment ?? 'development', labels: o.labels ?? [] },
    intents: o.intents ?? [],
    context: { now: o.now ?? Date.UTC(2026, 0, 5, 14, 30), approved: o.approved ?? false, mode: o.mode ?? 'exec', command: o.command ?? 'true', ...(o.tty !== undefined ? { tty: o.tty } : {}), ...(o.interactive ? { interactive: o.interactive } : {}) },
  };
}

/** A policy directory holding the shipped schema and the given files; returns its path and a
 * cleanup. */
export function policyDir(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-policy-'));
  copyFileSync(join(SHIPPED_POLICIES, 'schema.cedarschema'), join(dir, 'schema.cedarschema'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
