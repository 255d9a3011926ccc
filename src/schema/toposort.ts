/**
 * Dependency order for DDL: every node after the nodes it depends on, and
 * otherwise in the order given (so output is stable and reads like the
 * source's catalog). Dependencies on nodes outside the set are ignored: they
 * are either already there or were decided on elsewhere.
 */

export interface TopoResult<T> {
  readonly ordered: readonly T[];
  /** Nodes on or behind a dependency cycle, in input order. */
  readonly cyclic: readonly T[];
}

export function topoSort<T>(nodes: readonly T[], keyOf: (node: T) => string, depsOf: (node: T) => readonly string[]): TopoResult<T> {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(keyOf(node), i));
  const pending = new Map<number, number>(); // node -> unmet dependencies
  const dependents = new Map<number, number[]>();
  nodes.forEach((node, i) => {
    const deps = new Set(
      depsOf(node)
        .map((d) => index.get(d))
        .filter((d): d is number => d !== undefined && d !== i),
    );
    pending.set(i, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list === undefined) dependents.set(d, [i]);
      else list.push(i);
    }
  });
  // Ready nodes kept sorted by input position: the lowest ready one goes next.
  const ready: number[] = [];
  for (const [i, count] of pending) if (count === 0) ready.push(i);
  ready.sort((a, b) => a - b);
  const ordered: T[] = [];
  const done = new Set<number>();
  while (ready.length > 0) {
    const next = ready.shift();
    if (next === undefined) break;
    const node = nodes[next];
    if (node === undefined) continue;
    ordered.push(node);
    done.add(next);
    for (const dependent of dependents.get(next) ?? []) {
      const left = (pending.get(dependent) ?? 0) - 1;
      pending.set(dependent, left);
      if (left === 0) insertSorted(ready, dependent);
    }
  }
  const cyclic = nodes.filter((_, i) => !done.has(i));
  return { ordered, cyclic };
}

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}
