// The operator's hash-chained trail (onboarding, offboarding, erasure); tenants appear only as keyed pseudonyms.
import { createHmac, randomUUID } from 'node:crypto';
import type { SystemTx } from '../store/database';
import { GENESIS_HASH, chainHash, walkChain, type AuditVerification } from './audit-log';

const LOCK_KEY = 815_247_002;

export interface OperatorAuditEvent {
  readonly actor: string;
  readonly action: string;
  /** Already pseudonymised target (see `tenantPseudonym`). */
  readonly target: string;
  /** Non-identifying details (counts, region); never a tenant id, name or BPN. */
  readonly details?: Record<string, unknown>;
  readonly requestId?: string;
}

export interface OperatorAuditRecord {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: Record<string, unknown> | null;
  readonly requestId: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

interface OperatorRow {
  seq: number | string; id: string; at: Date | string; actor: string; action: string; target: string;
  details: Record<string, unknown> | null; request_id: string | null; prev_hash: string; hash: string;
}

/** A stable pseudonym for a tenant id under the deployment's key: the operator can recompute it, nobody can reverse it. */
export function tenantPseudonym(key: Buffer, tenantId: string): string {
  return `tenant:${createHmac('sha256', key).update(`tenant:${tenantId}`).digest('hex').slice(0, 32)}`;
}

function toRecord(r: OperatorRow): OperatorAuditRecord {
  return {
    seq: Number(r.seq), id: r.id, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target,
    details: r.details, requestId: r.request_id, prevHash: r.prev_hash, hash: r.hash,
  };
}

export async function appendOperatorAudit(tx: SystemTx, event: OperatorAuditEvent, now: Date = new Date()): Promise<OperatorAuditRecord> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  const last = await tx.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM operator_audit_log ORDER BY seq DESC LIMIT 1');
  const base = {
    seq: last[0] ? Number(last[0].seq) + 1 : 1, id: randomUUID(), at: now.toISOString(), actor: event.actor,
    action: event.action, target: event.target, details: event.details ?? null, requestId: event.requestId ?? null,
    prevHash: last[0]?.hash ?? GENESIS_HASH,
  };
  const record: OperatorAuditRecord = { ...base, hash: chainHash(base) };
  await tx.query(
    `INSERT INTO operator_audit_log (seq, id, at, actor, action, target, details, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [record.seq, record.id, record.at, record.actor, record.action, record.target, record.details === null ? null : JSON.stringify(record.details), record.requestId, record.prevHash, record.hash],
  );
  return record;
}

export async function readOperatorAudit(tx: SystemTx, afterSeq = 0, limit = 1000): Promise<OperatorAuditRecord[]> {
  return (await tx.query<OperatorRow>('SELECT * FROM operator_audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])).map(toRecord);
}

export async function verifyOperatorAudit(tx: SystemTx): Promise<AuditVerification> {
  const walk = await walkChain((after) => readOperatorAudit(tx, after));
  return { ok: walk.problems.length === 0, records: walk.records, problems: walk.problems };
}
