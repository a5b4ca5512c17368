// etcd does not report its compacted revision on any cheap call: ErrCompacted carries no number,
// and only a watch cancelled by compaction (or HashKV, which hashes the whole keyspace) says it.
// What it does guarantee (mvcc's rangeKeys) is that a read at revision r fails with ErrCompacted
// exactly when r < compacted revision. So the compacted revision is the smallest readable
// revision, found from a known lower bound: one probe when nothing new was compacted (the common
// case: compaction only moves forward), else a binary search up to the current revision, which is
// always readable.

/**
 * The compacted revision, given `known` <= it (0 when nothing is known), a way to read the current
 * revision (only needed when something new was compacted) and a probe telling whether a read at a revision succeeds. Revision 1 is the first etcd has, so a
 * compaction at revision 1 loses nothing and is reported as 0.
 */
export async function findCompactedRevision(known: number, current: () => Promise<number>, readableAt: (revision: number) => Promise<boolean>): Promise<number> {
  if (await readableAt(Math.max(known, 1))) return known;
  let lo = Math.max(known, 1) + 1; // smallest candidate
  let hi = await current(); // readable
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await readableAt(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}
