// For scratch databases in tests: a transaction body with `defer` that runs the queued statements after the body, as the real engines do.
import type { TenantTx } from '../../connector/store/database';

type Query = TenantTx['query'];

/** Runs `work` with a tenant transaction over `query`; statements it defers run afterwards, in order. */
export async function withDeferred<T>(tenantId: string, query: Query, work: (tx: TenantTx) => Promise<T>): Promise<T> {
  const deferred: { sql: string; params?: readonly unknown[] }[] = [];
  const result = await work({ tenantId, query, defer: (sql, params) => void deferred.push({ sql, params }) });
  for (const d of deferred) await query(d.sql, d.params);
  return result;
}
