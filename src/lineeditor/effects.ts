/** What the editor asks its host (the session) to do. */
export type EditorEffect =
  | { readonly type: 'write'; readonly data: string }
  | { readonly type: 'submit'; readonly text: string }
  | { readonly type: 'interrupt' }
  | { readonly type: 'eof' }
  | { readonly type: 'complete'; readonly text: string; readonly cursor: number }
  | { readonly type: 'bell' };

export interface EditorOptions {
  /** Terminal width; clamped to [2, 4096], a bad value (0, NaN) becomes 80. */
  readonly columns: number;
  /** The judge's "complete parse unit" test; false → continuation prompt "> ". */
  readonly isComplete: (text: string) => boolean;
  readonly history?: readonly string[];
  /** Entries kept (default 1000). */
  readonly historyLimit?: number;
  /** Longest buffer in UTF-16 units (default 131072); input beyond it is dropped with a bell. */
  readonly maxLength?: number;
  /** Bytes kept while no prompt is shown (default 65536); beyond it they are dropped. */
  readonly maxTypeahead?: number;
}

export type EditorMode = 'idle' | 'edit' | 'search';

export function clampColumns(columns: number, fallback = 80): number {
  if (!Number.isFinite(columns) || columns < 1) return fallback;
  return Math.min(4096, Math.max(2, Math.floor(columns)));
}
