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

/** A sequence number no real chain reaches: marks where `seq` sits in a record's canonical JSON. */
const SEQ_MARK = Number.MAX_SAFE_INTEGER;

/**
 * The canonical JSON of a record's hashed fields, split around its `seq` value (which only the database knows at
 * append time): `pre + seq + post`.
 */
function splitAtSeq(fields: Record<string, unknown>): { pre: string; post: string } {
  const json = canonicalJson({ ...fields, seq: SEQ_MARK });
  const marker = `"seq":${SEQ_MARK}`;
  const at = json.indexOf(marker);
  // Inside JSON strings quotes are escaped, so the marker occurs exactly once, as the key; checked all the same.
  if (at === -1 || json.indexOf(marker, at + 1) !== -1) throw new Error('audit record cannot be split at its sequence number');
  return { pre: json.slice(0, at + '"seq":'.length), post: json.slice(at + marker.length) };
}

/** The append statement and its parameters, with the record's fields as the caller knows them before it runs. */
function appendStatement(tx: TenantTx, event: AuditEvent, now: Date): { sql: string; params: unknown[]; fields: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'> } {
  const fields = {
    tenantId: tx.tenantId, id: randomUUID(), at: new Date(Math.floor(now.getTime())).toISOString(),
    actor: event.actor, action: event.action, target: event.target,
    beforeDigest: digestOf(event.before) ?? null, afterDigest: digestOf(event.after) ?? null, requestId: event.requestId ?? null,
  };
  const { pre, post } = splitAtSeq(fields);
  return {
    sql: APPEND_SQL,
    params: [tx.tenantId, GENESIS_HASH, pre, post, fields.id, fields.at, fields.actor, fields.action, fields.target, fields.beforeDigest, fields.afterDigest, fields.requestId],
    fields,
  };
}

/**
 * One statement: the head row is created or locked and moved (seq + 1, hash over the previous hash and the record's
 * canonical JSON, computed by the database exactly as `chainHash` does), and the record is inserted with the head's
 * values. Concurrent appends of a tenant queue on the head row's lock.
 */
const APPEND_SQL = `WITH head AS (
       INSERT INTO audit_heads AS h (tenant_id, seq, prev_hash, hash)
       VALUES ($1, 1, $2::text, encode(sha256(convert_to($2::text || E'\\n' || $3::text || '1' || $4::text, 'UTF8')), 'hex'))
       ON CONFLICT (tenant_id) DO UPDATE SET seq = h.seq + 1, prev_hash = h.hash,
         hash = encode(sha256(convert_to(h.hash || E'\\n' || $3::text || (h.seq + 1)::text || $4::text, 'UTF8')), 'hex')
       RETURNING h.seq, h.prev_hash, h.hash)
     INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, target, before_digest, after_digest, request_id, prev_hash, hash)
     SELECT $1, head.seq, $5, $6, $7, $8, $9, $10, $11, $12, head.prev_hash, head.hash FROM head
     RETURNING seq, prev_hash, hash`;

/** Appends `event` to the tenant's chain inside the caller's transaction now, and returns the stored record. */
export async function appendAudit(tx: TenantTx, event: AuditEvent, now: Date = new Date()): Promise<AuditRecord> {
  const { sql, params, fields } = appendStatement(tx, event, now);
  const rows = await tx.query<{ seq: number | string; prev_hash: string; hash: string }>(sql, params);
  const row = rows[0];
  if (row === undefined) throw new Error('audit append returned no row');
  return { ...fields, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
}

/**
 * Appends `event` to the tenant's chain at the caller's COMMIT (`TenantTx.defer`): same record, same atomicity (it
 * commits with the change it records or not at all), one database round trip fewer when nobody needs the record back.
 */
export function deferAudit(tx: TenantTx, event: AuditEvent, now: Date = new Date()): void {
  const { sql, params } = appendStatement(tx, event, now);
  tx.defer(sql, params);
}

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
