/** The one place that talks to cedar-wasm (DESIGN: only src/policy/ imports it). Everything else in
 * bulwark sees plain values. The nodejs build loads its wasm synchronously at import. */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationAnswer, DetailedError, EntityJson, CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';

export type { DetailedError, EntityJson, CedarValueJson };

export interface CedarUid {
  readonly type: string;
  readonly id: string;
}

export function cedarVersion(): string {
  return cedar.getCedarVersion();
}

export function checkSchema(text: string): readonly DetailedError[] {
  const answer = cedar.checkParseSchema(text);
  return answer.type === 'success' ? [] : answer.errors;
}

/** Syntax errors of one file, with byte offsets into that file. */
export function checkPolicyText(text: string): readonly DetailedError[] {
  const answer = cedar.checkParsePolicySet({ staticPolicies: text });
  return answer.type === 'success' ? [] : answer.errors;
}

/** How many static policies and templates Cedar itself finds in a file; used to cross-check our own
 * split of the file into policies. */
export function countParts(text: string): { policies: number; templates: number } | readonly DetailedError[] {
  const answer = cedar.policySetTextToParts(text);
  if (answer.type === 'failure') return answer.errors;
  return { policies: answer.policies.length, templates: answer.policy_templates.length };
}

export interface PolicyShape {
  readonly effect: 'permit' | 'forbid';
  readonly annotations: Readonly<Record<string, string>>;
  /** Context attributes the conditions read, or 'all' when `context` is used as a whole. */
  readonly contextAttributes: ReadonlySet<string> | 'all';
}

const isContext = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { Var?: unknown }).Var === 'context';

/** Which context attributes an expression reads: `context.x` and `context has x` name one; any
 * other use of `context` (comparing or passing the whole record) counts as reading all. */
function contextUse(node: unknown, found: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((n) => contextUse(n, found));
  if (typeof node !== 'object' || node === null) return true;
  if (isContext(node)) return false;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const v = value as { left?: unknown; attr?: unknown } | null;
    if ((key === '.' || key === 'has') && v && isContext(v.left)) {
      const attr = Array.isArray(v.attr) ? v.attr[0] : v.attr;
      if (typeof attr !== 'string') return false;
      found.add(attr);
      continue;
    }
    if (!contextUse(value, found)) return false;
  }
  return true;
}

export function shapeOf(policyText: string): PolicyShape | readonly DetailedError[] {
  const answer = cedar.policyToJson(policyText);
  if (answer.type === 'failure') return answer.errors;
  const found = new Set<string>();
  const bounded = contextUse(answer.json.conditions, found);
  return { effect: answer.json.effect, annotations: answer.json.annotations ?? {}, contextAttributes: bounded ? found : 'all' };
}

export interface ValidationOutcome {
  readonly errors: readonly { policyId: string; error: DetailedError }[];
  readonly warnings: readonly { policyId: string; error: DetailedError }[];
  /** Failures that are not tied to a policy (e.g. the schema itself). */
  readonly other: readonly DetailedError[];
}

export function validatePolicies(schema: string, policies: Record<string, string>): ValidationOutcome {
  const answer = cedar.validate({ schema, policies: { staticPolicies: policies }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') return { errors: [], warnings: [], other: answer.errors };
  return { errors: answer.validationErrors, warnings: answer.validationWarnings, other: [] };
}

/** Parse once and keep the result inside the wasm instance, so a decision does not re-parse the
 * policy text (the cost that dominates a plain isAuthorized call). There is no way to evict an
 * entry; each hot reload adds one (a few tens of KiB). */
export function preparse(setId: string, policies: Record<string, string>): readonly DetailedError[] {
  const answer = cedar.preparsePolicySet(setId, { staticPolicies: policies });
  return answer.type === 'success' ? [] : answer.errors;
}

/** Parent action ids of each action declared in the schema (`action exec in [command]`), by the
 * action's id; actions of namespace `ns` only. */
export function actionParents(schema: string, ns: string): Map<string, string[]> | readonly DetailedError[] {
  const answer = cedar.schemaToJson(schema);
  if (answer.type === 'failure') return answer.errors;
  const out = new Map<string, string[]>();
  for (const [id, action] of Object.entries(answer.json[ns]?.actions ?? {})) {
    out.set(id, (action.memberOf ?? []).filter((m) => m.type === undefined || m.type === `${ns}::Action`).map((m) => m.id));
  }
  return out;
}

/** Schema conformance of the requests bulwark builds (entities once, the context per action);
 * checked once per load, so that evaluation itself can skip the schema (see authorize). The schema
 * is converted to JSON once: each check would otherwise parse the text again. */
export function checkRequestShapes(
  schema: string,
  entities: EntityJson[],
  contexts: readonly { action: CedarUid; context: Record<string, CedarValueJson> }[],
): { readonly errors: readonly DetailedError[]; readonly perAction: ReadonlyMap<string, readonly DetailedError[]> } {
  const json = cedar.schemaToJson(schema);
  if (json.type === 'failure') return { errors: json.errors, perAction: new Map() };
  const e = cedar.checkParseEntities({ entities, schema: json.json });
  const perAction = new Map<string, readonly DetailedError[]>();
  for (const { action, context } of contexts) {
    const c = cedar.checkParseContext({ context, schema: json.json, action });
    if (c.type === 'failure') perAction.set(action.id, c.errors);
  }
  return { errors: e.type === 'failure' ? e.errors : [], perAction };
}

export interface AuthorizeCall {
  readonly setId: string;
  readonly principal: CedarUid;
  readonly action: CedarUid;
  readonly resource: CedarUid;
  readonly context: Record<string, CedarValueJson>;
  readonly entities: EntityJson[];
}

/**
 * One decision against a preparsed set, without the schema. Measured on the shipped set: the call
 * costs ~0.25 ms with schema validation of the full request, ~0.18 ms without the schema and with
 * only the context attributes the policies read; marshalling the request into wasm is most of it.
 * What the schema would check is guaranteed elsewhere: request.ts checks every field's type, the
 * loader checks once that the shape bulwark builds conforms to the schema, and the caller passes
 * the action's ancestors the schema declares. A policy reading anything else errors, which denies.
 */
export function authorize(call: AuthorizeCall): AuthorizationAnswer {
  return cedar.statefulIsAuthorized({
    principal: call.principal,
    action: call.action,
    resource: call.resource,
    context: call.context,
    entities: call.entities,
    preparsedPolicySetId: call.setId,
  });
}

export function describeCedarErrors(errors: readonly DetailedError[]): string {
  return errors.map((e) => (e.help ? `${e.message} (${e.help})` : e.message)).join('; ');
}
