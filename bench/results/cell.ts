/** A cell is one backend × workload: the unit every summary, table and comparison is keyed by. */
export interface CellIdentity {
  backend: string;
  workload: string;
}

/** A map key for a cell; NUL cannot occur in either name. */
export function cellKey(cell: CellIdentity): string {
  return `${cell.backend}\u0000${cell.workload}`;
}

export function splitCellKey(key: string): CellIdentity {
  const [backend, workload] = key.split('\u0000') as [string, string];
  return { backend, workload };
}
