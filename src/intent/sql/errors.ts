import { BulwarkError } from '../../core/index.js';

/** The WASM (libpg-query) or JS (node-sql-parser) SQL parsers could not be loaded. analyzeSql keeps
 * failing closed (an `evasion` finding) until a later initSql succeeds. */
export class SqlParserLoadError extends BulwarkError<'ERR_SQL_PARSER_LOAD'> {
  constructor(cause: unknown) {
    super('ERR_SQL_PARSER_LOAD', 'SQL parsers could not be loaded; SQL will be judged as unanalysable', { cause });
  }
}
