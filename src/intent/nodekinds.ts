/** Which tree-sitter-bash node types are statements or words, and the two tree surgeries the
 * builder needs: attaching a redirection to the command bash applies it to, and putting the real
 * command back where the heredoc placeholder stood in a re-parsed tail. */
import type { CommandNode, Redirect, SimpleCommand } from './types.js';

export const HEREDOC_PLACEHOLDER = '__bulwark_heredoc__';

export const STATEMENT_TYPES = new Set([
  'command', 'pipeline', 'list', 'subshell', 'compound_statement', 'redirected_statement', 'if_statement',
  'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'function_definition',
  'negated_command', 'declaration_command', 'unset_command', 'variable_assignment', 'variable_assignments',
]);
export const WORD_TYPES = new Set([
  'word', 'string', 'raw_string', 'ansi_c_string', 'concatenation', 'simple_expansion', 'expansion',
  'command_substitution', 'process_substitution', 'arithmetic_expansion', 'number', 'translated_string',
]);

export function attachRedirects(node: CommandNode, redirects: Redirect[]): CommandNode {
  if (redirects.length === 0) return node;
  switch (node.kind) {
    case 'simple':
      return { ...node, redirects: [...node.redirects, ...redirects] };
    case 'pipeline': {
      // `a | b > f` redirects b only.
      const cmds = [...node.commands];
      const last = cmds.pop();
      return { ...node, commands: last ? [...cmds, attachRedirects(last, redirects)] : cmds };
    }
    case 'list':
      return { ...node, right: attachRedirects(node.right, redirects) };
    case 'subshell':
    case 'group':
    case 'compound':
      return { ...node, redirects: [...node.redirects, ...redirects] };
    default:
      return node;
  }
}

export function substitute(node: CommandNode, real: SimpleCommand): CommandNode {
  switch (node.kind) {
    case 'simple':
      if (node.argv[0]?.value === HEREDOC_PLACEHOLDER) {
        return { ...real, redirects: [...real.redirects, ...node.redirects] };
      }
      return node;
    case 'pipeline':
      return { ...node, commands: node.commands.map((c) => substitute(c, real)) };
    case 'list':
      return { ...node, left: substitute(node.left, real), right: substitute(node.right, real) };
    default:
      return node;
  }
}
