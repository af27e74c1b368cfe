// Right to erasure: removes every row of one tenant from every table that has a tenant_id column, children first.
import type { Database, TenantTx } from './database';

export interface ErasureReport {
  /** Rows removed per table. */
  readonly removed: Readonly<Record<string, number>>;
}

/** Tenant tables of the current schema ordered so that referencing tables come before the tables they reference. */
async function tenantTablesChildrenFirst(tx: TenantTx): Promise<string[]> {
  const tables = (
    await tx.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`,
    )
  ).map((r) => r.table_name);
  const edges = await tx.query<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND cl.oid <> pl.oid`,
  );
  const pending = new Set(tables);
  const ordered: string[] = [];
  while (pending.size > 0) {
    // A table can go once no pending table still references it.
    const ready = [...pending].filter((t) => !edges.some((e) => e.parent === t && pending.has(e.child)));
    if (ready.length === 0) throw new Error(`tenant tables reference each other in a cycle: ${[...pending].join(', ')}`);
    for (const t of ready.sort()) {
      ordered.push(t);
      pending.delete(t);
    }
  }
  return ordered;
}

/**
 * Deletes all of the tenant's rows, including its audit trail, and the tenant record itself, in one privileged
 * transaction. `beforeCommit` runs in the same transaction (the operator's erasure record).
 */
export async function eraseTenant(db: Database, tenantId: string, beforeCommit: (tx: TenantTx, report: ErasureReport) => Promise<void>): Promise<ErasureReport> {
  return db.withPrivilegedTenant(tenantId, async (tx) => {
    const removed: Record<string, number> = {};
    for (const table of await tenantTablesChildrenFirst(tx)) {
      const rows = await tx.query<{ n: number }>(`WITH d AS (DELETE FROM "${table}" WHERE tenant_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [tenantId]);
      removed[table] = rows[0]?.n ?? 0;
    }
    const t = await tx.query<{ n: number }>('WITH d AS (DELETE FROM tenants WHERE id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d', [tenantId]);
    removed.tenants = t[0]?.n ?? 0;
    const report = { removed };
    await beforeCommit(tx, report);
    return report;
  });
}
