// SQL for received footprint requests (pact_footprint_requests) inside the caller's tenant transaction.
import type { TenantTx } from '../../connector/store/database';
import type { PactApiVersion, PactErrorBody } from '../api/pact-errors';

export type RequestStatus = 'Pending' | 'Fulfilled' | 'Rejected';

export interface FootprintRequest {
  readonly id: string;
  /** The `id` of the RequestCreated event (echoed as `requestEventId`). */
  readonly eventId: string;
  readonly source: string;
  readonly apiVersion: PactApiVersion;
  readonly partnerId: string;
  /** Who sent it: `pact-client:<id>` or `data-plane:<bpn|did>`. */
  readonly requestedBy: string;
  /** The event's `data` as received. */
  readonly criteria: Readonly<Record<string, unknown>>;
  /** The compiled filter (footprint filter AST). */
  readonly filter: unknown;
  readonly comment: string | null;
  readonly status: RequestStatus;
  readonly receivedAt: string;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly pfIds: readonly string[];
  readonly error: PactErrorBody | null;
}

interface Row {
  id: string;
  event_id: string;
  source: string;
  api_version: string;
  partner_id: string;
  requested_by: string;
  criteria: unknown;
  filter: unknown;
  comment: string | null;
  status: RequestStatus;
  received_at: Date | string;
  decided_at: Date | string | null;
  decided_by: string | null;
  pf_ids: string[] | null;
  error_code: string | null;
  error_message: string | null;
}

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toRequest(r: Row): FootprintRequest {
  return {
    id: r.id, eventId: r.event_id, source: r.source, apiVersion: r.api_version === '2' ? '2' : '3', partnerId: r.partner_id,
    requestedBy: r.requested_by, criteria: json(r.criteria) as Record<string, unknown>, filter: json(r.filter), comment: r.comment,
    status: r.status, receivedAt: iso(r.received_at) as string, decidedAt: iso(r.decided_at), decidedBy: r.decided_by,
    pfIds: r.pf_ids ?? [], error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  };
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface NewRequest {
  readonly id: string;
  readonly eventId: string;
  readonly source: string;
  readonly apiVersion: PactApiVersion;
  readonly partnerId: string;
  readonly requestedBy: string;
  readonly criteria: Readonly<Record<string, unknown>>;
  readonly filter: unknown;
  readonly comment: string | null;
  readonly receivedAt: Date;
}

/** Inserts a Pending request; undefined when the same (source, event id) was already received. */
export async function insert(tx: TenantTx, r: NewRequest): Promise<FootprintRequest | undefined> {
  const rows = await tx.query<Row>(
    `INSERT INTO pact_footprint_requests (tenant_id, id, event_id, source, api_version, partner_id, requested_by, criteria, filter, comment, status, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, 'Pending', $11)
     ON CONFLICT (tenant_id, source, event_id) DO NOTHING RETURNING *`,
    [tx.tenantId, r.id, r.eventId, r.source, r.apiVersion, r.partnerId, r.requestedBy, JSON.stringify(r.criteria), JSON.stringify(r.filter), r.comment, r.receivedAt.toISOString()],
  );
  return rows[0] === undefined ? undefined : toRequest(rows[0]);
}

export async function findByEvent(tx: TenantTx, source: string, eventId: string): Promise<FootprintRequest | undefined> {
  const rows = await tx.query<Row>('SELECT * FROM pact_footprint_requests WHERE tenant_id = $1 AND source = $2 AND event_id = $3', [tx.tenantId, source, eventId]);
  return rows[0] === undefined ? undefined : toRequest(rows[0]);
}

/** One request (locked for update when `lock`). */
export async function get(tx: TenantTx, id: string, lock: boolean): Promise<FootprintRequest | undefined> {
  if (!UUID.test(id)) return undefined;
  const rows = await tx.query<Row>(`SELECT * FROM pact_footprint_requests WHERE tenant_id = $1 AND id = $2::uuid${lock ? ' FOR UPDATE' : ''}`, [tx.tenantId, id]);
  return rows[0] === undefined ? undefined : toRequest(rows[0]);
}

export async function list(tx: TenantTx, status?: RequestStatus, limit = 500): Promise<FootprintRequest[]> {
  const rows = status === undefined
    ? await tx.query<Row>('SELECT * FROM pact_footprint_requests WHERE tenant_id = $1 ORDER BY received_at DESC, id LIMIT $2', [tx.tenantId, limit])
    : await tx.query<Row>('SELECT * FROM pact_footprint_requests WHERE tenant_id = $1 AND status = $2 ORDER BY received_at DESC, id LIMIT $3', [tx.tenantId, status, limit]);
  return rows.map(toRequest);
}

/** Records the answer of a request. */
export async function decide(
  tx: TenantTx, id: string,
  d: { status: 'Fulfilled' | 'Rejected'; decidedBy: string; at: Date; pfIds?: readonly string[]; error?: PactErrorBody },
): Promise<FootprintRequest> {
  const rows = await tx.query<Row>(
    `UPDATE pact_footprint_requests SET status = $3, decided_by = $4, decided_at = $5, pf_ids = $6::text[], error_code = $7, error_message = $8
     WHERE tenant_id = $1 AND id = $2::uuid RETURNING *`,
    [tx.tenantId, id, d.status, d.decidedBy, d.at.toISOString(), d.pfIds ?? [], d.error?.code ?? null, d.error?.message ?? null],
  );
  if (rows[0] === undefined) throw new Error(`footprint request ${id} vanished`);
  return toRequest(rows[0]);
}
