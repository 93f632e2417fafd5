/** The seam to src/intent/sql/ (SQL judged with real parsers, written separately). Loaded by a
 * dynamic import so this module works, failing closed, while the SQL analyser is absent or broken:
 * then every SQL text becomes an `evasion` intent "SQL analyser unavailable". */
import { describeError } from '../core/errors.js';
// Types only: erased at run time, so the module itself is still loaded by the dynamic import below.
import type { SqlClient, SqlDialect, SqlFinding } from './sql/index.js';

export type { SqlClient, SqlDialect, SqlFinding };

interface SqlModule {
  initSql(): Promise<void>;
  analyzeSql(text: string, dialect: SqlDialect, opts?: { client?: SqlClient }): SqlFinding[];
}

export interface SqlBridge {
  readonly available: boolean;
  /** Never throws: an analyser failure is an evasion finding. */
  analyze(text: string, dialect: SqlDialect, client?: SqlClient): SqlFinding[];
}

function unavailable(why: string): SqlBridge {
  return {
    available: false,
    analyze: () => [{ category: 'evasion', severity: 'high', effect: 'unanalysed', tables: [], explanation: `SQL analyser unavailable (${why})` }],
  };
}

let loading: Promise<SqlBridge> | undefined;

export function loadSqlBridge(): Promise<SqlBridge> {
  loading ??= (async (): Promise<SqlBridge> => {
    try {
      // A variable specifier keeps the type checker from requiring the module to exist yet.
      const spec = './sql/index.js';
      const mod = (await import(spec)) as Partial<SqlModule>;
      if (typeof mod.analyzeSql !== 'function' || typeof mod.initSql !== 'function') return unavailable('no analyzeSql export');
      await mod.initSql();
      const analyzeSql = mod.analyzeSql;
      return {
        available: true,
        analyze(text, dialect, client) {
          try {
            const r = analyzeSql(text, dialect, client ? { client } : undefined);
            return Array.isArray(r) ? r : unavailable('bad result').analyze(text, dialect);
          } catch (e) {
            return unavailable(describeError(e)).analyze(text, dialect);
          }
        },
      };
    } catch (e) {
      return unavailable(describeError(e).split('\n')[0] ?? 'load failed');
    }
  })();
  return loading;
}
