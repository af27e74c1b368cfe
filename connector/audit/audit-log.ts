// Per-tenant append-only, hash-chained audit trail: append inside the caller's transaction, verify, export.
import { randomUUID } from 'node:crypto';
import type { TenantTx } from '../store/database';
import { canonicalJson, digestOf, sha256Hex } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  /** Who acted: `user:<sub>`, `api-key:<id>`, `partner:<did>`, `system`. */
  readonly actor: string;
  /** Dotted verb, e.g. `api-key.create`, `footprint.update`. */
  readonly action: string;
  /** What was acted on, e.g. `footprint/<id>`. */
  readonly target: string;
  /** State before the change (digested, never stored). */
  readonly before?: unknown;
  /** State after the change (digested, never stored). */
  readonly after?: unknown;
  readonly requestId?: string;
}

export interface AuditRecord {
  readonly tenantId: string;
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly beforeDigest: string | null;
  readonly afterDigest: string | null;
  readonly requestId: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditProblem {
  readonly seq: number;
  readonly problem: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly records: number;
  readonly problems: readonly AuditProblem[];
}

interface AuditRow {
  tenant_id: string;
  seq: number | string;
  id: string;
  at: Date | string;
  actor: string;
  action: string;
  target: string;
  before_digest: string | null;
  after_digest: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash of a chain record: over its previous hash and every other field but the hash itself. */
export function chainHash(record: { readonly prevHash: string } & Record<string, unknown>): string {
  const { prevHash, ...fields } = record;
  return sha256Hex(`${prevHash}\n${canonicalJson(fields)}`);
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    tenantId: row.tenant_id, seq: Number(row.seq), id: row.id, at: new Date(row.at).toISOString(), actor: row.actor,
    action: row.action, target: row.target, beforeDigest: row.before_digest, afterDigest: row.after_digest,
    requestId: row.request_id, prevHash: row.prev_hash, hash: row.hash,
  };
}

/** Appends one event to the tenant's chain within `tx` (it commits or rolls back with the change it records). */
export async function appendAudit(tx: TenantTx, event: AuditEvent, now: Date = new Date()): Promise<AuditRecord> {
  // One statement creates the tenant's head row if missing, else locks it (the no-op update takes the row lock), and
  // returns the latest committed head: concurrent appends of a tenant, first ones included, queue on that row.
  const head = await tx.query<{ seq: number | string; hash: string }>(
    'INSERT INTO audit_heads AS h (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = h.tenant_id RETURNING h.seq, h.hash',
    [tx.tenantId, GENESIS_HASH],
  );
  const prevSeq = Number(head[0].seq);
  const prevHash = head[0].hash;
  const base = {
    tenantId: tx.tenantId, seq: prevSeq + 1, id: randomUUID(), at: new Date(Math.floor(now.getTime())).toISOString(),
    actor: event.actor, action: event.action, target: event.target,
    beforeDigest: digestOf(event.before) ?? null, afterDigest: digestOf(event.after) ?? null,
    requestId: event.requestId ?? null, prevHash,
  };
  const record: AuditRecord = { ...base, hash: chainHash(base) };
  // The record and the moved head in one statement (the head row is already locked by this transaction).
  await tx.query(
    `WITH appended AS (
       INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, target, before_digest, after_digest, request_id, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq, hash)
     UPDATE audit_heads SET seq = appended.seq, hash = appended.hash FROM appended WHERE audit_heads.tenant_id = $1`,
    [record.tenantId, record.seq, record.id, record.at, record.actor, record.action, record.target, record.beforeDigest, record.afterDigest, record.requestId, record.prevHash, record.hash],
  );
  return record;
}

/** Reads the tenant's records in order, `limit` at a time after `afterSeq`. */
export async function readAudit(tx: TenantTx, afterSeq = 0, limit = 1000): Promise<AuditRecord[]> {
  const rows = await tx.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
  return rows.map(toRecord);
}

/** A record of any hash chain: contiguous sequence numbers, each linked to the previous record's hash. */
export interface ChainRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChainWalk {
  readonly problems: AuditProblem[];
  readonly records: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** Walks a chain page by page, recomputing every hash and link. */
export async function walkChain<R extends ChainRecord>(read: (afterSeq: number) => Promise<R[]>): Promise<ChainWalk> {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let lastHash = GENESIS_HASH;
  let records = 0;
  for (let batch = await read(0); batch.length > 0; batch = await read(batch[batch.length - 1].seq)) {
    for (const r of batch) {
      records++;
      if (r.seq !== expectedSeq) problems.push({ seq: r.seq, problem: `expected sequence ${expectedSeq}: rows are missing` });
      if (r.prevHash !== lastHash) problems.push({ seq: r.seq, problem: 'previous-hash link broken: a row before it was removed or altered' });
      const { hash, ...rest } = r;
      if (chainHash(rest as unknown as { prevHash: string } & Record<string, unknown>) !== hash) {
        problems.push({ seq: r.seq, problem: 'content does not match its hash: the row was edited' });
      }
      expectedSeq = r.seq + 1;
      lastHash = hash;
    }
  }
  return { problems, records, lastSeq: expectedSeq - 1, lastHash };
}

/** Recomputes the tenant's whole chain: detects edited, removed, inserted or reordered rows and a truncated tail. */
export async function verifyAudit(tx: TenantTx): Promise<AuditVerification> {
  const walk = await walkChain((after) => readAudit(tx, after));
  const problems = [...walk.problems];
  const head = await tx.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_heads WHERE tenant_id = $1', [tx.tenantId]);
  if (head[0] && (Number(head[0].seq) !== walk.lastSeq || head[0].hash !== walk.lastHash)) {
    problems.push({ seq: Number(head[0].seq), problem: 'the chain head does not match the last row: rows at the end were removed' });
  }
  if (!head[0] && walk.records > 0) problems.push({ seq: 0, problem: 'records exist without a chain head' });
  return { ok: problems.length === 0, records: walk.records, problems };
}

/** The tenant's audit trail as JSON lines, one record per line, in order. */
export async function* exportAudit(tx: TenantTx): AsyncGenerator<string> {
  for (let batch = await readAudit(tx, 0); batch.length > 0; batch = await readAudit(tx, batch[batch.length - 1].seq)) {
    for (const r of batch) yield `${JSON.stringify(r)}\n`;
  }
}
