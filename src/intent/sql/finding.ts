import type { IntentCategory, Severity } from '../../core/index.js';
import { SEVERITIES } from '../../core/index.js';

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'clickhouse' | 'generic';
export type SqlClient = 'psql' | 'mysql' | 'sqlite3' | 'clickhouse-client';

/** One thing a piece of SQL would do that a policy may care about. */
export interface SqlFinding {
  category: IntentCategory;
  severity: Severity;
  /** Short stable verb for policies, e.g. "drop", "delete-all", "copy-program". */
  effect: string;
  tables: string[];
  explanation: string;
}

export function finding(
  category: IntentCategory,
  severity: Severity,
  effect: string,
  explanation: string,
  tables: readonly string[] = [],
): SqlFinding {
  return { category, severity, effect, tables: [...tables], explanation };
}

/** Why the judge refuses to call something harmless. Always `evasion`: we could not see what runs. */
export function unanalysable(effect: string, explanation: string, severity: Severity = 'high'): SqlFinding {
  return finding('evasion', severity, effect, explanation);
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Collects findings in discovery order, merging exact repeats (same category, effect, tables) and
 * keeping the worse severity, so a statement repeated twice does not double its report. */
export class FindingSet {
  private readonly byKey = new Map<string, SqlFinding>();

  add(f: SqlFinding): void {
    const key = `${f.category}\u0000${f.effect}\u0000${f.tables.join(',')}`;
    const prev = this.byKey.get(key);
    if (!prev) {
      this.byKey.set(key, f);
    } else if (severityRank(f.severity) > severityRank(prev.severity)) {
      this.byKey.set(key, { ...prev, severity: f.severity, explanation: f.explanation });
    }
  }

  addAll(fs: readonly SqlFinding[]): void {
    for (const f of fs) this.add(f);
  }

  get size(): number {
    return this.byKey.size;
  }

  list(): SqlFinding[] {
    return [...this.byKey.values()];
  }
}
