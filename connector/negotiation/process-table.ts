// Shared SQL for process tables (negotiations, transfers): insert, versioned update, lookups and lease-based claiming.
import type { TenantTx, TenantTxOptions } from '../store/database';

/** Exclusive right to process a row: only `owner` may work on it until `until` (epoch ms); then anyone may claim it. */
export interface Lease {
  readonly owner: string;
  readonly until: number;
}

/** A process row as loaded: the entity, its row version and the free-form `extra` JSON. */
export interface StoredProcess<T> {
  readonly entity: T;
  /** Row version: bumped by every claim and write; updates must name the version they read. */
  readonly version: number;
  readonly extra: Readonly<Record<string, unknown>>;
  /** The lease the row holds, as returned by `insert`/`update` (written with `lease`) and `claim`; absent otherwise. */
  readonly lease?: Lease;
}

/** How the next write schedules work: a time (epoch ms) a processor may claim the row from, or null for none. */
export interface WriteOptions {
  readonly dueAt: number | null;
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * Writes the row already leased, for a processor that is handed the row after commit instead of claiming it. The
   * row stays due at `dueAt`, so if the hand-off never runs (process killed) a claim takes it once the lease expires.
   * Without it the write clears any lease.
   */
  readonly lease?: Lease;
}

/** Column values derived from an entity (besides tenant_id, id, record, extra, version and lease columns). */
export type ProcessColumns = Readonly<Record<string, string | number | boolean | null>>;

export interface ProcessTableSpec<T> {
  /** A fixed table name (never user input). */
  readonly table: 'cp_negotiations' | 'cp_transfers';
  columns(entity: T): ProcessColumns;
  /** The JSON stored as `record` (may strip secrets). */
  toRecord(entity: T): Record<string, unknown>;
  /** Reads a stored record back; throws on a malformed row (a database fault, not a client error). */
  fromRecord(record: unknown): T;
}

export interface ProcessTable<T extends { readonly id: string; readonly tenantId: string }> {
  /** Inserts a new process (leased when `options.lease` is given); throws on a duplicate key. */
  insert(tx: TenantTx, entity: T, options: WriteOptions): Promise<StoredProcess<T>>;
  /**
   * `insert` deferred to COMMIT's round trip (`TenantTx.defer`); the stored process is derived here, as the row will
   * read back. A duplicate key fails the commit (`isDuplicateKey`), rolling back everything else of the transaction.
   */
  insertAtCommit(tx: TenantTx, entity: T, options: WriteOptions): StoredProcess<T>;
  /** The process with our local id, optionally row-locked for the rest of the transaction. */
  find(tx: TenantTx, id: string, forUpdate?: boolean): Promise<StoredProcess<T> | undefined>;
  /** The first process matching `column = value` (plus `role`), optionally row-locked. */
  findBy(tx: TenantTx, where: Readonly<Record<string, string>>, forUpdate?: boolean): Promise<StoredProcess<T> | undefined>;
  /**
   * Writes `entity` if the row still has `expectedVersion` and bumps the version; replaces any lease with
   * `options.lease` (none without it). Returns the new stored process, whose version is the one the next update must
   * name, or undefined when someone else changed the row since it was read (the caller's result is stale and must be
   * dropped).
   */
  update(tx: TenantTx, entity: T, expectedVersion: number, options: WriteOptions): Promise<StoredProcess<T> | undefined>;
  /**
   * `update` of a row this transaction has locked (`find(…, true)`), which therefore still has `stored.version`: the
   * UPDATE is deferred to COMMIT's round trip (`TenantTx.defer`) and the new stored process is derived here, as the
   * row will read back. The deferred statement fails the commit if it updated no row (a caller that did not lock and
   * holds a stale version), so a lost update can never commit silently.
   */
  updateLocked(tx: TenantTx, stored: StoredProcess<T>, entity: T, options: WriteOptions): StoredProcess<T>;
  /**
   * `update` at COMMIT of a row read without a lock: the version-checked UPDATE is deferred to COMMIT's round trip and
   * the new stored process derived here. If someone else changed the row since `stored` was read, the commit fails
   * with an error for which `isConcurrentChange` is true, rolling back everything else of the transaction.
   */
  updateAtCommit(tx: TenantTx, stored: StoredProcess<T>, entity: T, options: WriteOptions): StoredProcess<T>;
  /**
   * Claims up to `limit` due rows (next_attempt_at ≤ now, lease free or expired) with FOR UPDATE SKIP LOCKED, so
   * concurrent claimers on one database never get the same row; each claim bumps the version.
   */
  claim(tx: TenantTx, owner: string, now: number, leaseMs: number, limit: number): Promise<StoredProcess<T>[]>;
  /** Rows ordered by created_at, id, filtered by equality on known columns. */
  list(tx: TenantTx, where: Readonly<Record<string, string>>, offset: number, limit: number, order?: 'ASC' | 'DESC'): Promise<StoredProcess<T>[]>;
}

interface Row {
  record: unknown;
  version: string | number;
  extra: unknown;
  lease_owner?: string | null;
  lease_until?: string | number | null;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

function checkColumn(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid column name ${name}`);
  return name;
}

export function createProcessTable<T extends { readonly id: string; readonly tenantId: string }>(spec: ProcessTableSpec<T>): ProcessTable<T> {
  const { table } = spec;
  const read = (row: Row): StoredProcess<T> => ({
    entity: spec.fromRecord(row.record),
    version: Number(row.version),
    extra: (typeof row.extra === 'object' && row.extra !== null ? row.extra : {}) as Record<string, unknown>,
    ...(row.lease_owner != null && row.lease_until != null ? { lease: { owner: row.lease_owner, until: Number(row.lease_until) } } : {}),
  });
  const returning = 'RETURNING record, version, extra, lease_owner, lease_until';

  /** The record as stored; `read` gives back the entity exactly as a later SELECT would. */
  const record = (entity: T): Record<string, unknown> => spec.toRecord(entity);

  function updateStatement(tx: TenantTx, entity: T, expectedVersion: number, options: WriteOptions, written: Record<string, unknown>): { sql: string; params: unknown[] } {
    const cols = spec.columns(entity);
    const names = Object.keys(cols).map(checkColumn);
    const sets = names.map((n, i) => `${n} = $${i + 9}`).join(', ');
    return {
      sql: `UPDATE ${table} SET record = $3, extra = COALESCE($4::jsonb, extra), next_attempt_at = $5, version = version + 1,
           lease_owner = $7, lease_until = $8${sets === '' ? '' : `, ${sets}`}
         WHERE tenant_id = $1 AND id = $2 AND version = $6`,
      params: [
        tx.tenantId, entity.id, JSON.stringify(written), options.extra === undefined ? null : JSON.stringify(options.extra), options.dueAt,
        expectedVersion, options.lease?.owner ?? null, options.lease?.until ?? null, ...names.map((n) => cols[n]),
      ],
    };
  }

  function insertStatement(tx: TenantTx, entity: T, options: WriteOptions, written: Record<string, unknown>): { sql: string; params: unknown[] } {
    const cols = spec.columns(entity);
    const names = Object.keys(cols).map(checkColumn);
    const all = ['tenant_id', 'id', 'record', 'extra', 'next_attempt_at', 'lease_owner', 'lease_until', ...names];
    return {
      sql: `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map((_, i) => `$${i + 1}`).join(', ')})`,
      params: [
        tx.tenantId, entity.id, JSON.stringify(written), JSON.stringify(options.extra ?? {}), options.dueAt,
        options.lease?.owner ?? null, options.lease?.until ?? null, ...names.map((n) => cols[n]),
      ],
    };
  }

  /** The stored process a deferred UPDATE of `stored` to `written` leaves behind, as a later SELECT would read it. */
  function derived(stored: StoredProcess<T>, written: Record<string, unknown>, options: WriteOptions): StoredProcess<T> {
    return read({
      record: written, version: stored.version + 1, extra: options.extra ?? stored.extra,
      lease_owner: options.lease?.owner ?? null, lease_until: options.lease?.until ?? null,
    });
  }

  async function findBy(tx: TenantTx, where: Readonly<Record<string, string>>, forUpdate = false): Promise<StoredProcess<T> | undefined> {
    const keys = Object.keys(where).map(checkColumn);
    const cond = keys.map((k, i) => `${k} = $${i + 2}`).join(' AND ');
    const rows = await tx.query<Row>(
      `SELECT record, version, extra FROM ${table} WHERE tenant_id = $1${cond === '' ? '' : ` AND ${cond}`} ORDER BY created_at LIMIT 1${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenantId, ...keys.map((k) => where[k])],
    );
    return rows[0] === undefined ? undefined : read(rows[0]);
  }

  return {
    async insert(tx, entity, options) {
      const { sql, params } = insertStatement(tx, entity, options, record(entity));
      const rows = await tx.query<Row>(`${sql} ${returning}`, params);
      return read(rows[0] as Row);
    },

    insertAtCommit(tx, entity, options) {
      const written = record(entity);
      const { sql, params } = insertStatement(tx, entity, options, written);
      tx.defer(sql, params);
      return read({ record: written, version: 1, extra: options.extra ?? {}, lease_owner: options.lease?.owner ?? null, lease_until: options.lease?.until ?? null });
    },

    find(tx, id, forUpdate) {
      return findBy(tx, { id }, forUpdate);
    },

    findBy,

    async update(tx, entity, expectedVersion, options) {
      const { sql, params } = updateStatement(tx, entity, expectedVersion, options, record(entity));
      const rows = await tx.query<Row>(`${sql} ${returning}`, params);
      return rows[0] === undefined ? undefined : read(rows[0]);
    },

    updateLocked(tx, stored, entity, options) {
      const written = record(entity);
      const { sql, params } = updateStatement(tx, entity, stored.version, options, written);
      // Nobody reads the result, so the statement checks itself: a text that casts to 1 when the UPDATE wrote the row,
      // else a cast error that names the process (and aborts the commit).
      tx.defer(
        `WITH u AS (${sql} RETURNING 1)
         SELECT (SELECT CASE WHEN count(*) = 1 THEN '1' ELSE 'process ' || $2::text || ' changed while locked' END FROM u)::int`,
        params,
      );
      return derived(stored, written, options);
    },

    updateAtCommit(tx, stored, entity, options) {
      const written = record(entity);
      const { sql, params } = updateStatement(tx, entity, stored.version, options, written);
      tx.defer(`WITH u AS (${sql} RETURNING 1) SELECT app_expect_one_row((SELECT count(*) FROM u), 'process ' || $2::text)`, params);
      return derived(stored, written, options);
    },

    async claim(tx, owner, now, leaseMs, limit) {
      const rows = await tx.query<Row>(
        `UPDATE ${table} SET lease_owner = $2, lease_until = $3, version = version + 1
         WHERE tenant_id = $1 AND id IN (
           SELECT id FROM ${table}
           WHERE tenant_id = $1 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until < $4)
           ORDER BY next_attempt_at LIMIT $5 FOR UPDATE SKIP LOCKED)
         ${returning}`,
        [tx.tenantId, owner, now + leaseMs, now, limit],
      );
      return rows.map(read);
    },

    async list(tx, where, offset, limit, order = 'ASC') {
      const keys = Object.keys(where).map(checkColumn);
      const cond = keys.map((k, i) => ` AND ${k} = $${i + 4}`).join('');
      const dir = order === 'DESC' ? 'DESC' : 'ASC';
      const rows = await tx.query<Row>(
        `SELECT record, version, extra FROM ${table} WHERE tenant_id = $1${cond} ORDER BY created_at ${dir}, id ${dir} OFFSET $2 LIMIT $3`,
        [tx.tenantId, offset, limit, ...keys.map((k) => where[k])],
      );
      return rows.map(read);
    },
  };
}

/** True when a statement or a commit failed on a unique key (PostgreSQL SQLSTATE 23505, e.g. a deferred `insertAtCommit`). */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/**
 * Handles an initial message (one that creates a process) in one round trip where it can: `attempt(false)` treats it as
 * new without looking for an existing process, and the unique key on its process id (`insertAtCommit`) is the check;
 * it may also decide on copies checked at COMMIT (`isConcurrentChange` when stale). When that commit fails on the key
 * (a repeated message, or a concurrent twin committed first) or on a stale copy, or the attempt refuses the message,
 * `attempt(true)` runs once more, looks first and reads what it needs, so a repeat is answered with the process it
 * created and a refusal is decided on what the database holds.
 */
export async function asNewUnlessRepeated<T extends { readonly ok: boolean }>(attempt: (lookFirst: boolean) => Promise<T>): Promise<T> {
  try {
    const fresh = await attempt(false);
    if (fresh.ok) return fresh;
  } catch (err) {
    if (!isDuplicateKey(err) && !isConcurrentChange(err)) throw err;
  }
  return attempt(true);
}

/** True when a commit failed because a write deferred by `updateAtCommit` found its row changed by someone else. */
export function isConcurrentChange(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'PCF02';
}

/** Options of a processor's save: not durable, as a lost save is redone (see `TenantTxOptions.durable`). */
export const REDONE_IF_LOST: TenantTxOptions = { durable: false };

/** The result of `saving`, or undefined when its commit failed because `updateAtCommit` found the row changed. */
export async function unlessChangedConcurrently<T>(saving: Promise<T>): Promise<T | undefined> {
  try {
    return await saving;
  } catch (err) {
    if (isConcurrentChange(err)) return undefined;
    throw err;
  }
}
