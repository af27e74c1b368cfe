// The store's one interface over PostgreSQL and PGlite: tenant-scoped transactions are the only door to tenant data.

/** How a statement relates to its transaction. */
export interface QueryOptions {
  /**
   * This is the transaction's last statement and nothing is deferred: COMMIT may travel in its round trip (PostgreSQL).
   * The work must issue no statement after it; its failure still rolls everything back.
   */
  readonly last?: boolean;
}

/** A SQL transaction bound to one tenant: row-level security limits every statement to that tenant's rows. */
export interface TenantTx {
  /** The tenant every statement in this transaction is confined to. */
  readonly tenantId: string;
  /** Runs one parameterised statement ($1, $2, …) and returns its rows. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /**
   * Queues a statement whose rows nobody needs (an audit append): it runs after `work` has returned, in order, right
   * before COMMIT and under the same tenant binding; on PostgreSQL it travels in COMMIT's round trip. If it fails,
   * the whole transaction rolls back and `withTenant` rejects with its error. Nothing queued runs when `work` throws.
   */
  defer(sql: string, params?: readonly unknown[]): void;
}

/** A SQL transaction outside any tenant (tenant registry, migrations, operator routines). RLS tables are unreachable. */
export interface SystemTx {
  /** Runs one parameterised statement and returns its rows. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
}

/**
 * A statement that must commit together with the transaction it opens, e.g. the one-time id of the token that
 * authenticated a request: recorded in the transaction of the request's effects, never after them.
 */
export interface TxGuard {
  /** The statement to run first, or undefined when nothing is (left) to record; a taken statement is pending. */
  take(): { readonly sql: string; readonly params: readonly unknown[] } | undefined;
  /** The outcome of the transaction that ran the taken statement: committed, or rolled back because of `error`. */
  settle(committed: boolean, error?: unknown): void;
}

/** How a tenant transaction starts. */
export interface TenantTxOptions {
  /**
   * Runs the guard's statement first, in the round trip that opens the transaction, even when `work` issues no
   * statement; it commits or rolls back with everything else, and a failing guard statement rolls back `work`.
   */
  readonly guard?: TxGuard;
  /**
   * false: COMMIT returns before the WAL reaches disk (PostgreSQL `synchronous_commit = off`). A database crash may
   * lose the last fraction of a second of such commits, and only those after the last durable commit (WAL is flushed
   * in order); it never corrupts anything. Only for writes that are redone when lost, such as a processor's save after
   * the counter-party acknowledged a message: the row stays due, and the message is sent again and acknowledged
   * idempotently.
   */
  readonly durable?: boolean;
}

export type DatabaseEngine = 'postgres' | 'pglite';

/** Callbacks of a notification channel subscription. */
export interface ChannelHandlers {
  readonly onMessage: (payload: string) => void;
  /** Notifications may have been lost (and `connected` says whether the channel is listening again). */
  readonly onReset: (connected: boolean) => void;
}

/** Connection to the connector's database. */
/** How a system transaction commits. */
export interface SystemTxOptions {
  /**
   * false: COMMIT returns before the WAL reaches disk (PostgreSQL `synchronous_commit = off`); a database crash may
   * lose the last fraction of a second of such commits, never corrupt anything. Only for data whose loss is harmless
   * (the SI-token replay cache); every other transaction keeps the default, durable commit.
   */
  readonly durable?: boolean;
}

export interface Database {
  readonly engine: DatabaseEngine;
  /**
   * Runs `work` in one transaction as the unprivileged application role with `app.tenant_id` set
   * transaction-locally; commits on success, rolls back on throw. Rows of other tenants are invisible and
   * writing them is rejected by the database.
   */
  withTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>, options?: TenantTxOptions): Promise<T>;
  /** Runs `work` in one transaction as the application role with no tenant set: tenant tables raise an error. */
  withSystem<T>(work: (tx: SystemTx) => Promise<T>, options?: SystemTxOptions): Promise<T>;
  /**
   * Runs `work` as the schema owner with `app.tenant_id` set: reserved for the privileged routines that
   * may bypass the app role's grants (tenant erasure, which also removes audit rows). Never call from request code.
   */
  withPrivilegedTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a notification channel (PostgreSQL LISTEN/NOTIFY): `onMessage` gets each payload once it is
   * committed, from this process or any other. `onReset` fires whenever notifications may have been missed (the
   * listening connection dropped and came back), so anything derived from them must be dropped. Resolves once
   * listening, or after `onReset(false)` when the database cannot be reached yet (it keeps retrying); the returned
   * function stops it.
   */
  listen(channel: string, handlers: ChannelHandlers): Promise<() => Promise<void>>;
  /** True when the database answers and every migration is applied. */
  isReady(): Promise<boolean>;
  /** Closes the pool or the embedded instance. */
  close(): Promise<void>;
}

/**
 * `tx` for work that issues exactly one more statement: that statement carries COMMIT (`QueryOptions.last`), one round
 * trip fewer. A second statement through it fails loudly instead of running outside the transaction.
 */
export function finalStatement(tx: TenantTx): TenantTx {
  return { tenantId: tx.tenantId, query: (sql, params) => tx.query(sql, params, { last: true }), defer: tx.defer };
}

/**
 * `tx` for statements whose rows nobody reads (a repository's writes): each one is deferred to COMMIT
 * (`TenantTx.defer`), in order, and answers no rows. On PostgreSQL they all travel in COMMIT's round trip.
 */
export function deferredStatements(tx: TenantTx): TenantTx {
  return {
    tenantId: tx.tenantId,
    query: async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> => {
      tx.defer(sql, params);
      return [];
    },
    defer: tx.defer,
  };
}
