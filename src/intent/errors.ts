/** Errors of the intent analyser. Analysis itself never throws (denials and doubts are intents);
 * these codes cover loading the parser and the `bulwark analyze` input. */
import { BulwarkError } from '../core/errors.js';

export type IntentErrorCode =
  | 'ERR_INTENT_PARSER_UNAVAILABLE'
  | 'ERR_INTENT_PARSE_TIMEOUT'
  | 'ERR_INTENT_BAD_INPUT';

export class IntentError extends BulwarkError<IntentErrorCode> {}

/** tree-sitter or tree-sitter-bash could not be loaded (missing native build, ABI mismatch). */
export class ParserUnavailableError extends IntentError {
  constructor(cause: unknown) {
    super('ERR_INTENT_PARSER_UNAVAILABLE', 'the bash parser could not be loaded', { cause });
  }
}

/** A parse ran past its time budget and was halted. */
export class ParseTimeoutError extends IntentError {
  constructor(budgetMs: number) {
    super('ERR_INTENT_PARSE_TIMEOUT', `parse exceeded the ${budgetMs} ms budget`);
  }
}

/** An `--ndjson` input line that is neither a JSON string nor an object with a string `command`. */
export class BadInputError extends IntentError {
  constructor(detail: string) {
    super('ERR_INTENT_BAD_INPUT', `bad input line: ${detail}`);
  }
}
