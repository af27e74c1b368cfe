// Builds the Database surface (tenant, system, privileged and owner transactions, readiness) on one engine's transaction primitive.
import type { ChannelHandlers, Database, DatabaseEngine, SystemTx, SystemTxOptions, TenantTx, TenantTxOptions } from './database';
import { inlineParameters } from './sql-inline';
import { migrationsApplied } from './migrations';
import { privilegedPreamble, SYSTEM_PREAMBLE, tenantPreamble, type OwnerSession, type OwnerTx } from './owner-session';
import { assertTenantId } from './tenant-guard';

/** What an engine provides: one transaction with an optional preamble, a liveness probe, and closing. */
export interface TransactionPrimitive {
  /**
   * Runs `work` in one transaction that starts with `preamble` (statements without parameters); rolls back on throw.
   * `eager`: the preamble runs even when `work` issues no statement (it records something).
   */
  transaction<T>(preamble: string | undefined, work: (tx: OwnerTx) => Promise<T>, options?: { readonly eager?: boolean }): Promise<T>;
  ping(): Promise<void>;
  /** LISTEN on `channel` until the returned function is called (see `Database.listen`). */
  listen(channel: string, handlers: ChannelHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Makes the transaction's COMMIT return before its WAL reaches disk (`durable: false`). */
const NOT_DURABLE = 'SET LOCAL synchronous_commit TO OFF';

export function transactionalDatabase(engine: DatabaseEngine, primitive: TransactionPrimitive): Database & OwnerSession {
  let ready = false;
  const db: Database & OwnerSession = {
    engine,
    async withTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>, options?: TenantTxOptions): Promise<T> {
      assertTenantId(tenantId);
      const preamble = options?.durable === false ? `${tenantPreamble(tenantId)}; ${NOT_DURABLE}` : tenantPreamble(tenantId);
      const guard = options?.guard;
      const first = guard?.take();
      if (guard === undefined || first === undefined) {
        return primitive.transaction(preamble, (tx) => work({ tenantId, query: tx.query, defer: tx.defer }));
      }
      // Inlined, the guard's statement travels in the opening round trip (with BEGIN and work's first statement).
      const inlined = inlineParameters(first.sql, first.params);
      try {
        const result = inlined !== undefined
          ? await primitive.transaction(`${preamble}; ${inlined}`, (tx) => work({ tenantId, query: tx.query, defer: tx.defer }), { eager: true })
          : await primitive.transaction(preamble, async (tx) => {
            await tx.query(first.sql, first.params);
            return work({ tenantId, query: tx.query, defer: tx.defer });
          });
        guard.settle(true);
        return result;
      } catch (err) {
        guard.settle(false, err);
        throw err;
      }
    },
    withSystem<T>(work: (tx: SystemTx) => Promise<T>, options?: SystemTxOptions): Promise<T> {
      const preamble = options?.durable === false ? `${SYSTEM_PREAMBLE}; ${NOT_DURABLE}` : SYSTEM_PREAMBLE;
      return primitive.transaction(preamble, (tx) => work({ query: tx.query }));
    },
    async withPrivilegedTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return primitive.transaction(privilegedPreamble(tenantId), (tx) => work({ tenantId, query: tx.query, defer: tx.defer }));
    },
    withOwner<T>(work: (tx: OwnerTx) => Promise<T>): Promise<T> {
      return primitive.transaction(undefined, work);
    },
    async isReady(): Promise<boolean> {
      try {
        if (ready) {
          await primitive.ping();
          return true;
        }
        ready = await migrationsApplied(db);
        return ready;
      } catch {
        return false;
      }
    },
    listen: (channel, handlers) => primitive.listen(channel, handlers),
    close: () => primitive.close(),
  };
  return db;
}
