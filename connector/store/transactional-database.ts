// Builds the Database surface (tenant, system, privileged and owner transactions, readiness) on one engine's transaction primitive.
import type { ChannelHandlers, Database, DatabaseEngine, SystemTx, SystemTxOptions, TenantTx } from './database';
import { migrationsApplied } from './migrations';
import { privilegedPreamble, SYSTEM_PREAMBLE, tenantPreamble, type OwnerSession, type OwnerTx } from './owner-session';
import { assertTenantId } from './tenant-guard';

/** What an engine provides: one transaction with an optional preamble, a liveness probe, and closing. */
export interface TransactionPrimitive {
  /** Runs `work` in one transaction that starts with `preamble` (statements without parameters); rolls back on throw. */
  transaction<T>(preamble: string | undefined, work: (tx: OwnerTx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  /** LISTEN on `channel` until the returned function is called (see `Database.listen`). */
  listen(channel: string, handlers: ChannelHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function transactionalDatabase(engine: DatabaseEngine, primitive: TransactionPrimitive): Database & OwnerSession {
  let ready = false;
  const db: Database & OwnerSession = {
    engine,
    async withTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return primitive.transaction(tenantPreamble(tenantId), (tx) => work({ tenantId, query: tx.query, defer: tx.defer }));
    },
    withSystem<T>(work: (tx: SystemTx) => Promise<T>, options?: SystemTxOptions): Promise<T> {
      const preamble = options?.durable === false ? `${SYSTEM_PREAMBLE}; SET LOCAL synchronous_commit TO OFF` : SYSTEM_PREAMBLE;
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
