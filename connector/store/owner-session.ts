// The schema owner's transaction primitive that both engines provide to the migration runner and privileged routines.
import type { QueryOptions } from './database';

export interface OwnerTx {
  /** Runs one parameterised statement and returns its rows. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Queues a statement to run right before COMMIT (see `TenantTx.defer`). */
  defer(sql: string, params?: readonly unknown[]): void;
}

/** A database engine as the migration runner sees it. */
export interface OwnerSession {
  /** Runs `work` in one transaction as the schema owner, with no role switch. */
  withOwner<T>(work: (tx: OwnerTx) => Promise<T>): Promise<T>;
}

/** The statements that start a tenant-bound transaction as the application role (tenant id already validated). */
export function tenantPreamble(tenantId: string): string {
  return `SET LOCAL ROLE pcf_app; SELECT set_config('app.tenant_id', '${tenantId}', true)`;
}

/** The statements that start a system transaction as the application role. */
export const SYSTEM_PREAMBLE = "SET LOCAL ROLE pcf_app; SELECT set_config('app.system', 'on', true)";

/** The statements that start a privileged tenant transaction as the owner (erasure). */
export function privilegedPreamble(tenantId: string): string {
  return `SELECT set_config('app.tenant_id', '${tenantId}', true); SELECT set_config('app.system', 'on', true)`;
}
