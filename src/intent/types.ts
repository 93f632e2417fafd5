/** The normalised shapes the analyser produces: words after our own quote removal, command trees,
 * and the public context/result types. Plain data so they serialise to JSON for `bulwark analyze`. */
import type { Intent } from '../core/intent.js';

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Stands for the unknown text of an expansion we could not resolve, inside `Word.value`. Rules
 * treat it as "could be anything" (a wildcard), which is how unknowns fail closed. */
export const UNKNOWN = '\uFFFF';

export interface Word extends Span {
  /** Source text as written. */
  readonly raw: string;
  /** Value after quote removal, unescaping and the expansions we could resolve; each unresolved
   * part is replaced by UNKNOWN. */
  readonly value: string;
  /** The source used quotes or backslashes (significant in a command name). */
  readonly quoted: boolean;
  /** Why parts are unknown (e.g. "$X", "$(...)", "${!x}"); empty when fully resolved. */
  readonly dynamic: readonly string[];
  /** Unquoted glob characters survive in the value (pathname expansion will happen). */
  readonly glob: boolean;
  /** The value came (at least partly) from a variable we resolved. */
  readonly fromVariable: boolean;
  /** Command and process substitutions inside the word: they run too. */
  readonly subs: readonly CommandNode[];
  /** Process substitution `<(...)`/`>(...)`: the word is a /dev/fd path at run time. */
  readonly procSub?: boolean;
}

export interface HereDoc {
  readonly body: string;
  /** Quoted delimiter: the body is literal (no expansions). */
  readonly literal: boolean;
  readonly dynamic: readonly string[];
  readonly subs: readonly CommandNode[];
}

export interface Redirect extends Span {
  /** `>`, `>>`, `<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<<`, `<<-`, `<<<`, `>&-`, ... */
  readonly op: string;
  readonly fd?: number;
  readonly target?: Word;
  readonly heredoc?: HereDoc;
}

export interface Assignment extends Span {
  readonly name: string;
  readonly value?: Word;
  readonly append: boolean;
}

interface Base extends Span {
  background?: boolean;
}

export interface SimpleCommand extends Base {
  readonly kind: 'simple';
  readonly assignments: readonly Assignment[];
  readonly argv: readonly Word[];
  readonly redirects: readonly Redirect[];
}
export interface PipelineNode extends Base {
  readonly kind: 'pipeline';
  readonly negated: boolean;
  readonly commands: readonly CommandNode[];
}
export interface ListNode extends Base {
  readonly kind: 'list';
  readonly op: '&&' | '||';
  readonly left: CommandNode;
  readonly right: CommandNode;
}
export interface BlockNode extends Base {
  readonly kind: 'subshell' | 'group';
  readonly body: readonly CommandNode[];
  readonly redirects: readonly Redirect[];
}
export interface FunctionNode extends Base {
  readonly kind: 'function';
  readonly name: string;
  readonly body: readonly CommandNode[];
  /** Body source, kept so the session can judge later calls. */
  readonly source: string;
}
export interface CompoundNode extends Base {
  readonly kind: 'compound';
  /** if, while, until, for, case, select, test, arithmetic, negated */
  readonly keyword: string;
  readonly words: readonly Word[];
  readonly parts: readonly CommandNode[];
  readonly redirects: readonly Redirect[];
}
export interface ErrorNode extends Base {
  readonly kind: 'error';
  readonly text: string;
  readonly missing: boolean;
}

export type CommandNode =
  | SimpleCommand
  | PipelineNode
  | ListNode
  | BlockNode
  | FunctionNode
  | CompoundNode
  | ErrorNode;

export interface AnalysisContext {
  cwd?: string;
  variables?: ReadonlyMap<string, string>;
  functions?: ReadonlyMap<string, string /* body source */>;
  aliases?: ReadonlyMap<string, string>;
  path?: string;
  /** For `sh ./x.sh`, `source x`: the file's text, or undefined when unreadable. */
  readFile?: (absPath: string) => string | undefined;
}

export interface Definitions {
  functions: Record<string, string>;
  aliases: Record<string, string>;
  variables: Record<string, string>;
}

export interface Analysis {
  line: string;
  /** false = needs more input (open quote, heredoc, `if` without `fi`, trailing `\` or `|`). */
  complete: boolean;
  commands: CommandNode[];
  intents: Intent[];
  /** Programs that read commands of their own (shells, REPLs, DB clients, editors, pagers). */
  interactive?: string[];
  definitions?: Definitions;
}

export interface Analyzer {
  /** Synchronous and total: never throws; internal failures become `evasion` intents. */
  analyze(line: string, ctx?: AnalysisContext): Analysis;
}
