/**
 * What one chunk of a table covers: the whole table, a key range or a range of
 * heap pages, and the WHERE condition that selects it. Plain data, so the plan
 * can hold chunks without depending on how chunks are drawn (chunks.ts).
 */
import { quoteIdent } from '../pg/ident.js';

export type ChunkBounds =
  | { readonly kind: 'whole' }
  /** `lower <= key < upper`; undefined ends are open. Bounds are integers as text (bigint-safe). */
  | { readonly kind: 'key'; readonly column: string; readonly lower: string | undefined; readonly upper: string | undefined }
  /** Heap pages `lower <= page < upper`; undefined ends are open. */
  | { readonly kind: 'pages'; readonly lower: number | undefined; readonly upper: number | undefined };

export interface ChunkPlan {
  /** 0-based position of the chunk in its table. */
  readonly index: number;
  readonly bounds: ChunkBounds;
}

export const WHOLE_TABLE: readonly ChunkPlan[] = [{ index: 0, bounds: { kind: 'whole' } }];

/** The chunk's condition for a WHERE clause, or undefined for the whole table. */
export function chunkPredicate(bounds: ChunkBounds): string | undefined {
  switch (bounds.kind) {
    case 'whole':
      return undefined;
    case 'key': {
      const column = quoteIdent(bounds.column);
      const parts = [
        bounds.lower === undefined ? undefined : `${column} >= ${BigInt(bounds.lower).toString()}`,
        bounds.upper === undefined ? undefined : `${column} < ${BigInt(bounds.upper).toString()}`,
      ].filter((p): p is string => p !== undefined);
      return parts.join(' AND ');
    }
    case 'pages': {
      // TID range scans (PostgreSQL 14+) read only these pages; 13 filters a full scan, still correct.
      const parts = [
        bounds.lower === undefined ? undefined : `ctid >= '(${Math.trunc(bounds.lower)},0)'::tid`,
        bounds.upper === undefined ? undefined : `ctid < '(${Math.trunc(bounds.upper)},0)'::tid`,
      ].filter((p): p is string => p !== undefined);
      return parts.join(' AND ');
    }
  }
}
