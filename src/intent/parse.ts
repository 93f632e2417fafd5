/** Loads tree-sitter-bash once and parses under a time budget. This file is the only importer of
 * tree-sitter in bulwark. */
import { createRequire } from 'node:module';
import type ParserT from 'tree-sitter';
import { ParserUnavailableError, ParseTimeoutError } from './errors.js';

export type SyntaxNode = ParserT.SyntaxNode;

export interface BashParser {
  /** Throws ParseTimeoutError past the budget (callers turn it into an evasion intent). */
  parse(text: string, deadline: number): SyntaxNode;
}

let cached: BashParser | ParserUnavailableError | undefined;

/** Loads the native parser; returns the error instead of throwing so callers fail closed. */
export function loadBashParser(): BashParser | ParserUnavailableError {
  if (cached !== undefined) return cached;
  try {
    // Native addons are CommonJS; createRequire keeps this ESM module free of interop guesses.
    const require = createRequire(import.meta.url);
    const Parser = require('tree-sitter') as typeof ParserT;
    const Bash = require('tree-sitter-bash') as ParserT.Language;
    const parser = new Parser();
    parser.setLanguage(Bash);
    cached = {
      parse(text: string, deadline: number): SyntaxNode {
        let timedOut = false;
        let calls = 0;
        parser.reset();
        const tree = parser.parse(text, null, {
          // Checking the clock on every callback is cheap next to parsing, but sample anyway.
          progressCallback: () => {
            if ((++calls & 15) !== 0) return false;
            if (performance.now() > deadline) timedOut = true;
            return timedOut;
          },
        });
        if (timedOut || tree === null || tree === undefined) {
          throw new ParseTimeoutError(0);
        }
        return tree.rootNode;
      },
    };
  } catch (e) {
    cached = new ParserUnavailableError(e);
  }
  return cached;
}
