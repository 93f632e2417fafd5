/** A policy question in bulwark's terms, and its translation into a Cedar request. The translation
 * checks every field itself: the request may come from code paths that were handed untyped data
 * (ndjson, config), and a wrong shape must deny, never reach Cedar half-filled. */
import type { Intent } from '../core/intent.js';
import { isIntentCategory } from '../core/intent.js';
import { isPrincipalKind, type Identity } from '../core/identity.js';
import type { CedarUid, CedarValueJson, EntityJson } from './cedar.js';

export const POLICY_ACTIONS = ['exec', 'login', 'shell', 'sftp', 'port-forward', 'approve', 'interactive'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export interface PolicyRequest {
  readonly action: PolicyAction;
  readonly principal: { readonly subject: string; readonly kind: string; readonly groups: readonly string[] };
  readonly target: { readonly name: string; readonly environment: string; readonly labels: readonly string[] };
  readonly intents: readonly Intent[];
  readonly context: {
    readonly command?: string;
    readonly sourceAddress?: string;
    readonly serial?: string;
    /** Milliseconds since the epoch. */
    readonly now: number;
    readonly approved: boolean;
    readonly mode: 'interactive' | 'exec';
    /** A terminal is attached (guarded shell, or exec with a pty request). Absent means true. */
    readonly tty?: boolean;
    /** Programs in the line that read commands of their own (the analyser's `interactive`). */
    readonly interactive?: readonly string[];
  };
}

/**
 * What a request says about who asks, from where, and on which target, as every session-side
 * caller states it; each adds its action, intents and the rest of the context (mode, tty, command).
 */
export function requestFacts(
  who: Identity,
  target: PolicyRequest['target'],
): Pick<PolicyRequest, 'principal' | 'target'> & { readonly context: { readonly now: number; readonly approved: false; readonly sourceAddress: string; readonly serial: string } } {
  return {
    principal: { subject: who.subject, kind: who.kind, groups: who.groups },
    target: { name: target.name, environment: target.environment, labels: target.labels },
    context: { now: Date.now(), approved: false, sourceAddress: who.source.address, serial: who.serial },
  };
}

export interface CedarRequest {
  readonly principal: CedarUid;
  readonly action: CedarUid;
  readonly resource: CedarUid;
  readonly context: Record<string, CedarValueJson>;
  readonly entities: EntityJson[];
}

export const NS = 'Bulwark';

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringList = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every(isString);

/** Rewrites a path that starts in some home directory to "~/...", so `homePaths` lets one rule
 * cover ~/x, ~user/x, $HOME/x, ${HOME}/x, /root/x and /home/NAME/x. */
export function homeRelative(path: string): string | undefined {
  const m = /^(?:~[A-Za-z0-9._-]*|\$HOME|\$\{HOME\}|\/root|\/home\/[^/]+)(\/.*)?$/.exec(path);
  if (!m) return undefined;
  return `~${(m[1] ?? '/').replace(/\/+/g, '/')}`;
}

function union(intents: readonly Intent[], pick: (i: Intent) => readonly string[] | string | undefined): string[] {
  const out = new Set<string>();
  for (const intent of intents) {
    const v = pick(intent);
    if (typeof v === 'string') out.add(v);
    else if (v) for (const s of v) out.add(s);
  }
  return [...out];
}

/** Returns the Cedar request, or why the request cannot be judged (which the engine turns into a
 * fail-closed deny). */
export function toCedarRequest(req: PolicyRequest): CedarRequest | { readonly invalid: string } {
  if (req === null || typeof req !== 'object') return { invalid: 'request is not an object' };
  if (!(POLICY_ACTIONS as readonly unknown[]).includes(req.action)) return { invalid: `unknown action ${JSON.stringify(req.action)}` };
  const p = req.principal as Partial<PolicyRequest['principal']> | undefined;
  if (!p || !isString(p.subject) || p.subject === '') return { invalid: 'principal has no subject' };
  if (!isPrincipalKind(p.kind)) return { invalid: `unknown principal kind ${JSON.stringify(p.kind)} (expected human or agent)` };
  if (!isStringList(p.groups)) return { invalid: 'principal groups are missing or not strings' };
  const t = req.target as Partial<PolicyRequest['target']> | undefined;
  if (!t || !isString(t.name) || t.name === '') return { invalid: 'target has no name' };
  if (!isString(t.environment) || t.environment === '') return { invalid: `target ${t.name} has no environment` };
  if (!isStringList(t.labels)) return { invalid: `target ${t.name} labels are missing or not strings` };
  if (!Array.isArray(req.intents)) return { invalid: 'intents are missing' };
  for (const intent of req.intents as readonly Partial<Intent>[]) {
    if (!intent || !isIntentCategory(intent.category)) return { invalid: `unknown intent category ${JSON.stringify(intent?.category)}` };
    const d = intent.details;
    if (d === null || typeof d !== 'object') return { invalid: `intent ${intent.category} has no details` };
    for (const k of ['binaries', 'tables', 'paths', 'hosts'] as const) {
      if (d[k] !== undefined && !isStringList(d[k])) return { invalid: `intent ${intent.category} details.${k} is not a list of strings` };
    }
    if (d.sqlEffect !== undefined && !isString(d.sqlEffect)) return { invalid: `intent ${intent.category} details.sqlEffect is not a string` };
  }
  const c = req.context as Partial<PolicyRequest['context']> | undefined;
  if (!c || typeof c.now !== 'number' || !Number.isFinite(c.now)) return { invalid: 'context has no valid time' };
  if (typeof c.approved !== 'boolean') return { invalid: 'context.approved is missing' };
  if (c.mode !== 'interactive' && c.mode !== 'exec') return { invalid: `unknown mode ${JSON.stringify(c.mode)}` };
  for (const k of ['command', 'sourceAddress', 'serial'] as const) {
    if (c[k] !== undefined && !isString(c[k])) return { invalid: `context.${k} is not a string` };
  }
  if (c.tty !== undefined && typeof c.tty !== 'boolean') return { invalid: 'context.tty is not a boolean' };
  if (c.interactive !== undefined && !isStringList(c.interactive)) return { invalid: 'context.interactive is not a list of strings' };

  const intents = req.intents;
  const paths = union(intents, (i) => i.details.paths);
  const context: Record<string, CedarValueJson> = {
    categories: union(intents, (i) => i.category),
    binaries: union(intents, (i) => i.details.binaries),
    sqlEffects: union(intents, (i) => i.details.sqlEffect),
    tables: union(intents, (i) => i.details.tables),
    paths,
    homePaths: [...new Set(paths.map(homeRelative).filter(isString))],
    hosts: union(intents, (i) => i.details.hosts),
    sourceAddress: c.sourceAddress ?? '',
    certificateSerial: c.serial ?? '',
    time: Math.floor(c.now / 1000),
    hourUtc: new Date(c.now).getUTCHours(),
    approved: c.approved,
    mode: c.mode,
    tty: c.tty ?? true,
    interactive: [...new Set(c.interactive ?? [])],
    command: c.command ?? '',
  };
  const groups = [...new Set(p.groups)];
  const principal = { type: `${NS}::User`, id: p.subject };
  const resource = { type: `${NS}::Target`, id: t.name };
  // Group entities themselves carry nothing: listing them as parents is enough for `in`.
  const entities: EntityJson[] = [
    { uid: principal, attrs: { subject: p.subject, kind: p.kind }, parents: groups.map((g) => ({ type: `${NS}::Group`, id: g })) },
    { uid: resource, attrs: { name: t.name, environment: t.environment, labels: [...new Set(t.labels)] }, parents: [] },
  ];
  return { principal, action: { type: `${NS}::Action`, id: req.action }, resource, context, entities };
}
