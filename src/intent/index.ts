/**
 * intent: turns a bash command line into what it would do. The only importer of tree-sitter.
 *
 * Purpose: parse a line with tree-sitter-bash, rebuild every word the way bash would (our own
 * quote removal, ANSI-C decoding, expansion of variables assigned earlier in the line or in the
 * session), unwrap everything that runs its arguments (sudo, env, xargs, find -exec, sh -c,
 * eval, here-docs fed to shells and database clients, ssh/kubectl/docker exec, inline
 * interpreter code, aliases and functions), hand SQL to src/intent/sql/, and report intents
 * with category, severity, evidence span, unwrap path and a one-line explanation.
 *
 * Trust boundary: the input line is hostile. The analyser is pure (no I/O besides the optional
 * `readFile` of the context) and total: `analyze` never throws. Whatever it cannot see through
 * (unresolved expansion in a command name or sensitive argument, ERROR/MISSING nodes, control
 * bytes, time budget exceeded, parser or SQL analyser missing, code downloaded or decoded at run
 * time, unknown inline code) is reported as an `evasion` intent: fail closed.
 *
 * Threat model and known limits: the judge reads the line, not the machine. It does not know
 * what an installed binary or a project script (`make`, `npm test`, `./gradlew`) does; running
 * code written or downloaded by the same line is evasion, but a script written by an earlier,
 * allowed line is only judged when `readFile` can read it. Languages other than bash and SQL
 * (python/perl/ruby/node code, awk programs, Mongo JS) are recognised by patterns, not parsed;
 * code outside a small harmless vocabulary is evasion. Word splitting of resolved variables is
 * approximate (whitespace IFS only); globs are matched against sample sensitive paths, not the
 * filesystem. The judge is not a sandbox: an allowed command runs with the target user's rights.
 * See docs/judge.md.
 */
export type {
  Analysis, AnalysisContext, Analyzer, CommandNode, Word, Redirect, Assignment, HereDoc, Definitions, Span,
  SimpleCommand, PipelineNode, ListNode, BlockNode, FunctionNode, CompoundNode, ErrorNode,
} from './types.js';
export { UNKNOWN } from './types.js';
export { createAnalyzer, DEFAULT_TIME_BUDGET_MS, MAX_LINE_LENGTH } from './analyzer.js';
export { isComplete } from './complete.js';
export { decodeAnsiC } from './words.js';
export { IntentError, ParserUnavailableError, ParseTimeoutError, BadInputError, type IntentErrorCode } from './errors.js';
