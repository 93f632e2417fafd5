/**
 * policy: policy-as-code with Cedar. Turns "who is asking, on which target, with which intents"
 * into allow | deny | review with the determining rule, the reason shown to the user and any
 * obligations (e.g. output masking). Loads and validates `policies/*.cedar` against
 * `policies/schema.cedarschema`, hot-reloads them, and runs the policy test cases beside them.
 *
 * Trust boundary: policy files are the operator's and trusted once they validate; requests are
 * checked field by field, and anything malformed, an unknown principal kind, a Cedar evaluation
 * error or a set that never loaded is a deny with rule `bulwark.fail-closed`. Only this folder
 * imports cedar-wasm.
 *
 * Known limits: intent details reach Cedar as unions over the whole line (a table and an effect
 * from different intents cannot be told apart); Cedar cannot pattern-match set members, hence the
 * `homePaths` normalisation; each reload leaves one preparsed set in the wasm heap (no eviction
 * API); templates are not supported; `approved` and `tty` are trusted as given by the caller.
 * Decisions are cached per engine, keyed on exactly the inputs the policies read.
 */
export { PolicyEngine, DEFAULT_DENY_RULE } from './engine.js';
export { loadPolicySet, SCHEMA_FILE, type PolicySet, type PolicyInfo, type ForbidDecision } from './policy-set.js';
export { PolicyStore, type PolicyStoreOptions } from './store.js';
export { POLICY_ACTIONS, homeRelative, requestFacts, type PolicyAction, type PolicyRequest } from './request.js';
export { resolveTarget, LOCAL_TARGET, type TargetFacts } from './catalog.js';
export { judgeLine, combine, type AnalyzeLine, type LineAnalysis, type LineRequest } from './judgement.js';
export { loadPolicyCases, runPolicyCase, CASES_DIR, type PolicyCase, type CaseResult, type CaseDeps } from './cases.js';
export { PolicyError, formatProblem, type PolicyErrorCode, type PolicyProblem } from './errors.js';
export { cedarVersion } from './cedar.js';
