import type { SqlDialect, SqlFinding } from './finding.js';

/** What an AST walker needs from the judge that called it. */
export interface JudgeContext {
  readonly dialect: SqlDialect;
  /** Judges SQL text that the SQL itself runs (EXECUTE 'text', PREPARE ... FROM 'text', DO bodies),
   * one level deeper; the judge bounds the depth and fails closed past it. */
  nested(text: string, dialect?: SqlDialect): SqlFinding[];
  /** Judges a PL/pgSQL body (DO blocks, function bodies). */
  plpgsql(body: string): SqlFinding[];
}

export type Node = Record<string, unknown>;

export function asNode(x: unknown): Node | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Node) : undefined;
}

export function asArray(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

/** Structure of a sub-tree without source positions, to compare expressions. */
export function shapeKey(x: unknown): string {
  return JSON.stringify(x, (k, v: unknown) => (k === 'location' || k === 'loc' ? undefined : v));
}
