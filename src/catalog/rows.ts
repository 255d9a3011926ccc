/**
 * Reading the catalog's rows: the driver returns int8 as strings, NULL as
 * null, and text[] as arrays.
 */

/** One row as the driver returns it. */
export type Row = Record<string, unknown>;

export const str = (row: Row, key: string): string => String(row[key] ?? '');
export const optStr = (row: Row, key: string): string | undefined =>
  row[key] === null || row[key] === undefined ? undefined : String(row[key]);
export const num = (row: Row, key: string): number => Number(row[key] ?? 0);
export const optNum = (row: Row, key: string): number | undefined =>
  row[key] === null || row[key] === undefined ? undefined : Number(row[key]);
export const bool = (row: Row, key: string): boolean => row[key] === true;
export const strings = (row: Row, key: string): string[] => (Array.isArray(row[key]) ? (row[key] as unknown[]).map(String) : []);

export function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}
