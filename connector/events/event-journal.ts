// Reads the tenant event journal (table tenant_events, written by database triggers; see migration 0600_events.sql).
import type { TenantTx } from '../store/database';

/** One journal entry as the stream sends it. */
export interface TenantEvent {
  /** Per-tenant, strictly increasing in commit order; the SSE `id`. */
  readonly seq: number;
  /** e.g. `transfer.process.started`, `contract.negotiation.finalized`, `footprint.request.received`. */
  readonly type: string;
  /** The id of the process or request the event is about. */
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** ISO 8601 commit-time timestamp. */
  readonly at: string;
}

interface EventRow {
  seq: string | number;
  type: string;
  subject: string;
  data: Record<string, unknown> | string;
  created_at: Date | string;
}

function toEvent(r: EventRow): TenantEvent {
  return {
    seq: Number(r.seq),
    type: r.type,
    subject: r.subject,
    data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
    at: new Date(r.created_at).toISOString(),
  };
}

/** Events of the transaction's tenant with `seq > after`, oldest first, at most `limit`. */
export async function readEventsAfter(tx: TenantTx, after: number, limit: number): Promise<TenantEvent[]> {
  const rows = await tx.query<EventRow>(
    'SELECT seq, type, subject, data, created_at FROM tenant_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [tx.tenantId, after, limit],
  );
  return rows.map(toEvent);
}

/** The id of the tenant's latest event (0 when it has none yet). */
export async function latestEventSeq(tx: TenantTx): Promise<number> {
  const rows = await tx.query<{ seq: string | number }>('SELECT seq FROM tenant_event_heads WHERE tenant_id = $1', [tx.tenantId]);
  return rows[0] === undefined ? 0 : Number(rows[0].seq);
}

/** The id of the oldest event still retained (undefined when none is). */
export async function oldestEventSeq(tx: TenantTx): Promise<number | undefined> {
  const rows = await tx.query<{ seq: string | number | null }>('SELECT min(seq) AS seq FROM tenant_events WHERE tenant_id = $1', [tx.tenantId]);
  return rows[0]?.seq === null || rows[0]?.seq === undefined ? undefined : Number(rows[0].seq);
}
