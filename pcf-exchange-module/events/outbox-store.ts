// The per-tenant event outbox: enqueue inside the change's transaction, claim due rows with a lease (SKIP LOCKED).
import { randomUUID } from 'node:crypto';
import type { TenantTx } from '../../connector/store/database';
import type { PactApiVersion } from '../api/pact-errors';
import type { PactCloudEvent } from './cloud-events';

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEntry {
  readonly id: string;
  readonly partnerId: string;
  readonly apiVersion: PactApiVersion;
  readonly eventType: string;
  readonly event: PactCloudEvent;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

interface OutboxRow {
  id: string;
  partner_id: string;
  api_version: string;
  event_type: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date | string;
  last_error: string | null;
  created_at: Date | string;
  delivered_at: Date | string | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toEntry(r: OutboxRow): OutboxEntry {
  return {
    id: r.id, partnerId: r.partner_id, apiVersion: r.api_version === '2' ? '2' : '3', eventType: r.event_type,
    event: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as PactCloudEvent, status: r.status,
    attempts: Number(r.attempts), nextAttemptAt: iso(r.next_attempt_at) as string, lastError: r.last_error,
    createdAt: iso(r.created_at) as string, deliveredAt: iso(r.delivered_at),
  };
}

/** Outbox rows of the transaction's tenant. */
export interface OutboxStore {
  /** Queues `event` for `partnerId`, due at `now`; returns the row id. */
  enqueue(tx: TenantTx, partnerId: string, apiVersion: PactApiVersion, event: PactCloudEvent, now: Date): Promise<string>;
  /**
   * Claims up to `limit` pending rows due at `now` whose lease has lapsed, locking them with FOR UPDATE SKIP LOCKED
   * (other replicas skip them) and leasing them until `now + leaseMs`.
   */
  claim(tx: TenantTx, now: Date, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Marks a row delivered. */
  delivered(tx: TenantTx, id: string, now: Date): Promise<void>;
  /** Records a failed attempt and schedules the next one. */
  retry(tx: TenantTx, id: string, nextAttemptAt: Date, error: string): Promise<void>;
  /** Gives up on a row (permanent refusal or past the retry horizon). */
  failed(tx: TenantTx, id: string, error: string): Promise<void>;
  /** Rows, newest first, optionally of one status. */
  list(tx: TenantTx, status?: OutboxStatus, limit?: number): Promise<OutboxEntry[]>;
}

export function createOutboxStore(): OutboxStore {
  return {
    async enqueue(tx, partnerId, apiVersion, event, now) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO pact_event_outbox (tenant_id, id, partner_id, api_version, event_type, payload, status, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'pending', $7, $7)`,
        [tx.tenantId, id, partnerId, apiVersion, event.type, JSON.stringify(event), now.toISOString()],
      );
      return id;
    },
    async claim(tx, now, limit, leaseMs) {
      const rows = await tx.query<OutboxRow>(
        `SELECT * FROM pact_event_outbox
          WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
          ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [tx.tenantId, now.toISOString(), limit],
      );
      if (rows.length === 0) return [];
      await tx.query(
        'UPDATE pact_event_outbox SET lease_until = $2, attempts = attempts + 1 WHERE tenant_id = $1 AND id = ANY($3::uuid[])',
        [tx.tenantId, new Date(now.getTime() + leaseMs).toISOString(), rows.map((r) => r.id)],
      );
      return rows.map((r) => toEntry({ ...r, attempts: Number(r.attempts) + 1 }));
    },
    async delivered(tx, id, now) {
      await tx.query(
        "UPDATE pact_event_outbox SET status = 'delivered', delivered_at = $3, lease_until = NULL, last_error = NULL WHERE tenant_id = $1 AND id = $2",
        [tx.tenantId, id, now.toISOString()],
      );
    },
    async retry(tx, id, nextAttemptAt, error) {
      await tx.query(
        'UPDATE pact_event_outbox SET next_attempt_at = $3, lease_until = NULL, last_error = $4 WHERE tenant_id = $1 AND id = $2',
        [tx.tenantId, id, nextAttemptAt.toISOString(), error.slice(0, 500)],
      );
    },
    async failed(tx, id, error) {
      await tx.query(
        "UPDATE pact_event_outbox SET status = 'failed', lease_until = NULL, last_error = $3 WHERE tenant_id = $1 AND id = $2",
        [tx.tenantId, id, error.slice(0, 500)],
      );
    },
    async list(tx, status, limit = 100) {
      const rows = status === undefined
        ? await tx.query<OutboxRow>('SELECT * FROM pact_event_outbox WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT $2', [tx.tenantId, limit])
        : await tx.query<OutboxRow>('SELECT * FROM pact_event_outbox WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC, id LIMIT $3', [tx.tenantId, status, limit]);
      return rows.map(toEntry);
    },
  };
}
