/** Turning Cedar's allow/deny into bulwark's allow | deny | review, with rule, reason and
 * obligations. Precedence: deny > review > allow; no applicable permit is a deny. */
import type { Decision, Obligation } from '../core/decision.js';
import { failClosed } from '../core/decision.js';
import { describeError } from '../core/errors.js';
import type { Intent } from '../core/intent.js';
import * as cedar from './cedar.js';
import type { PolicyInfo, PolicySet } from './policy-set.js';
import { toCedarRequest, type CedarRequest, type PolicyRequest } from './request.js';

export const DEFAULT_DENY_RULE = 'bulwark.default-deny';

type Outcome =
  | { readonly kind: 'allow'; readonly permits: PolicyInfo[] }
  | { readonly kind: 'forbidden'; readonly forbids: PolicyInfo[] }
  | { readonly kind: 'no-permit' }
  | { readonly kind: 'error'; readonly reason: string };

function intentsOf(req: PolicyRequest): readonly Intent[] {
  return req !== null && typeof req === 'object' && Array.isArray(req.intents) ? req.intents : [];
}

export class PolicyEngine {
  #set: PolicySet | undefined;
  #unloadedReason = '';
  readonly #byKey: ReadonlyMap<string, PolicyInfo>;
  /** Outcomes by request key. A decision is a pure function of the entities and of the context
   * attributes the policies read, so equal keys give equal outcomes; a new policy set gets a new
   * engine and so a new cache. Saves the cedar-wasm call (~0.2 ms) for repeated shapes of request,
   * e.g. every benign line of one agent on one target. */
  readonly #cache = new Map<string, Outcome>();

  constructor(set: PolicySet) {
    this.#set = set;
    this.#byKey = new Map(set.policies.map((p) => [p.key, p]));
  }

  /** An engine for when no policy set ever loaded: every request is a fail-closed deny that says why. */
  static unloaded(reason: string): PolicyEngine {
    const engine = new PolicyEngine({ ...EMPTY_SET });
    engine.#set = undefined;
    engine.#unloadedReason = reason;
    return engine;
  }

  get policySet(): PolicySet | undefined {
    return this.#set;
  }

  /** Judges one request. Synchronous and total: any failure is a deny with rule bulwark.fail-closed. */
  evaluate(req: PolicyRequest): Decision {
    try {
      return this.#evaluate(req);
    } catch (e) {
      return failClosed(`policy evaluation failed: ${describeError(e)}`, intentsOf(req));
    }
  }

  #evaluate(req: PolicyRequest): Decision {
    const set = this.#set;
    if (set === undefined) return failClosed(`no policy set is loaded: ${this.#unloadedReason}`, intentsOf(req));
    const cedarReq = toCedarRequest(req);
    if ('invalid' in cedarReq) return failClosed(`request cannot be judged: ${cedarReq.invalid}`, intentsOf(req));
    const intents = req.intents;

    // Once approved, review forbids no longer apply: judge against the set without them.
    const first = this.#ask(req.context.approved ? set.cedarIds.approved : set.cedarIds.full, set, cedarReq);
    if (first.kind === 'error') return failClosed(first.reason, intents);
    if (first.kind === 'allow') return allowOf(first.permits, intents);
    if (first.kind === 'no-permit') return defaultDeny(req, intents);

    const denying = first.forbids.find((f) => f.decision === 'deny');
    if (denying) return { verdict: 'deny', rule: denying.rule, reason: reasonOf(denying), intents, obligations: [] };

    // Only review forbids stand in the way. A review is worth asking for only if an approval would
    // then allow it, so ask again as if approved: if no permit applies then, it is a plain deny.
    const lifted = this.#ask(set.cedarIds.approved, set, cedarReq);
    if (lifted.kind === 'error') return failClosed(lifted.reason, intents);
    if (lifted.kind === 'no-permit') return defaultDeny(req, intents);
    if (lifted.kind === 'forbidden') {
      const f = lifted.forbids[0];
      return f ? { verdict: 'deny', rule: f.rule, reason: reasonOf(f), intents, obligations: [] } : defaultDeny(req, intents);
    }
    const review = first.forbids[0];
    if (!review) return failClosed('review without a determining policy', intents);
    return { verdict: 'review', rule: review.rule, reason: reasonOf(review), intents, obligations: obligationsOf(lifted.permits) };
  }

  #ask(setId: string, set: PolicySet, req: CedarRequest): Outcome {
    const key = cacheKey(setId, set, req);
    const hit = this.#cache.get(key);
    if (hit) {
      // Refresh its place so the map's insertion order is least-recently-used first.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const outcome = this.#askCedar(setId, set, req);
    if (outcome.kind !== 'error') {
      this.#cache.set(key, outcome);
      if (this.#cache.size > CACHE_LIMIT) {
        const oldest = this.#cache.keys().next();
        if (!oldest.done) this.#cache.delete(oldest.value);
      }
    }
    return outcome;
  }

  #askCedar(setId: string, set: PolicySet, req: CedarRequest): Outcome {
    // Only what the policies read crosses into wasm (marshalling is most of a call's cost), plus
    // the action's ancestors, which the schema would otherwise supply.
    const context = set.contextAttributes === 'all' ? req.context : Object.fromEntries(set.contextAttributes.map((a) => [a, req.context[a] ?? null]));
    const ancestors = set.actionAncestors.get(req.action.id) ?? [];
    const entities = [...req.entities, { uid: req.action, attrs: {}, parents: ancestors.map((id) => ({ type: req.action.type, id })) }];
    const answer = cedar.authorize({ setId, principal: req.principal, action: req.action, resource: req.resource, context, entities });
    if (answer.type === 'failure') return { kind: 'error', reason: `policy evaluation failed: ${cedar.describeCedarErrors(answer.errors)}` };
    const { decision, diagnostics } = answer.response;
    // Cedar skips a policy whose condition errors; for a forbid that would quietly allow, so any
    // error at all denies.
    if (diagnostics.errors.length > 0) {
      const detail = diagnostics.errors.map((e) => `${this.#byKey.get(e.policyId)?.rule ?? e.policyId}: ${e.error.message}`).join('; ');
      return { kind: 'error', reason: `policy evaluation failed: ${detail}` };
    }
    const determining: PolicyInfo[] = [];
    for (const key of diagnostics.reason) {
      const info = this.#byKey.get(key);
      if (!info) return { kind: 'error', reason: `Cedar named unknown policy ${key}` };
      determining.push(info);
    }
    determining.sort((a, b) => a.order - b.order);
    if (decision === 'allow') {
      if (determining.length === 0 || determining.some((p) => p.effect !== 'permit')) return { kind: 'error', reason: 'allow without a determining permit' };
      return { kind: 'allow', permits: determining };
    }
    if (determining.length === 0) return { kind: 'no-permit' };
    if (determining.some((p) => p.effect !== 'forbid')) return { kind: 'error', reason: 'deny determined by a permit' };
    return { kind: 'forbidden', forbids: determining };
  }
}

const CACHE_LIMIT = 10_000;

const sortedIfList = (v: unknown): unknown => (Array.isArray(v) ? [...(v as string[])].sort() : v);

/** Everything the outcome can depend on: the set, the action, every entity in full, and the
 * context attributes the policies read (sets sorted, since order means nothing to Cedar). */
function cacheKey(setId: string, set: PolicySet, req: CedarRequest): string {
  const attrs = set.contextAttributes === 'all' ? Object.keys(req.context).sort() : set.contextAttributes;
  return JSON.stringify([
    setId,
    req.action.id,
    req.principal.id,
    req.resource.id,
    req.entities.map((e) => [e.uid, Object.entries(e.attrs).map(([k, v]) => [k, sortedIfList(v)]), e.parents]),
    attrs.map((a) => [a, sortedIfList(req.context[a])]),
  ]);
}

const EMPTY_SET: PolicySet = Object.freeze({
  dir: '',
  files: [],
  policies: [],
  warnings: [],
  contextAttributes: 'all',
  cedarIds: { full: 'bulwark-unloaded', approved: 'bulwark-unloaded' },
  actionAncestors: new Map(),
  loadedAt: 0,
});

function reasonOf(p: PolicyInfo): string {
  return p.reason ?? `${p.effect === 'permit' ? 'allowed' : 'refused'} by policy ${p.rule}`;
}

function obligationsOf(permits: readonly PolicyInfo[]): Obligation[] {
  const seen = new Set<string>();
  const out: Obligation[] = [];
  for (const o of permits.flatMap((p) => p.obligations)) {
    const k = `${o.kind}\u0000${o.value}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(o);
    }
  }
  return out;
}

function allowOf(permits: readonly PolicyInfo[], intents: readonly Intent[]): Decision {
  const first = permits[0];
  if (!first) return failClosed('allow without a determining permit', intents);
  return { verdict: 'allow', rule: first.rule, reason: reasonOf(first), intents, obligations: obligationsOf(permits) };
}

function defaultDeny(req: PolicyRequest, intents: readonly Intent[]): Decision {
  return {
    verdict: 'deny',
    rule: DEFAULT_DENY_RULE,
    reason: `no policy permits ${req.action} for ${req.principal.kind} ${req.principal.subject} on ${req.target.name}`,
    intents,
    obligations: [],
  };
}
