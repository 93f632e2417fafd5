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
}

export function shapeOf(policyText: string): PolicyShape | readonly DetailedError[] {
  const answer = cedar.policyToJson(policyText);
  if (answer.type === 'failure') return answer.errors;
  return { effect: answer.json.effect, annotations: answer.json.annotations ?? {} };
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

export function preparseSchema(name: string, schema: string): readonly DetailedError[] {
  const answer = cedar.preparseSchema(name, schema);
  return answer.type === 'success' ? [] : answer.errors;
}

export interface AuthorizeCall {
  readonly setId: string;
  readonly schemaId: string;
  readonly principal: CedarUid;
  readonly action: CedarUid;
  readonly resource: CedarUid;
  readonly context: Record<string, CedarValueJson>;
  readonly entities: EntityJson[];
}

/** One decision against a preparsed set. The request (context and entities) is validated against
 * the preparsed schema, so a missing or mistyped attribute is a failure, never a silent skip. */
export function authorize(call: AuthorizeCall): AuthorizationAnswer {
  return cedar.statefulIsAuthorized({
    principal: call.principal,
    action: call.action,
    resource: call.resource,
    context: call.context,
    entities: call.entities,
    preparsedPolicySetId: call.setId,
    preparsedSchemaName: call.schemaId,
    validateRequest: true,
  });
}

export function describeCedarErrors(errors: readonly DetailedError[]): string {
  return errors.map((e) => (e.help ? `${e.message} (${e.help})` : e.message)).join('; ');
}
