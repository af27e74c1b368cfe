// Bulk import of footprints (management API and CLI): per-item results, invalid items never stored, batches of one transaction.
import { appendAudit } from '../../connector/audit/audit-log';
import type { Database } from '../../connector/store/database';
import type { PactFootprint } from '../model/pact-types';
import { createFootprintValidator, type FootprintValidator } from '../model/validate';
import { createSqlFootprintStore } from '../store/sql-footprint-store';
import { decodeFootprint, type InputFormat } from './footprint-input';
import { createPublishNotifier } from './publish-notifier';

export type ImportItemResult =
  | { readonly index: number; readonly ok: true; readonly id: string; readonly specVersion: string }
  | { readonly index: number; readonly ok: false; readonly reason: 'bad-request' | 'conflict'; readonly message: string; readonly errors: readonly unknown[] };

export interface ImportProgress {
  readonly processed: number;
  readonly imported: number;
  readonly failed: number;
}

export interface ImportReport extends ImportProgress {
  readonly results: readonly ImportItemResult[];
}

export interface ImportOptions {
  /** Audit actor (default `system`). */
  readonly actor?: string;
  readonly requestId?: string;
  /** Input format of every item (default auto: PACT by specVersion or a detected Catena-X model). */
  readonly format?: InputFormat;
  /** Items per transaction (default 200). */
  readonly batchSize?: number;
  readonly now?: () => Date;
  readonly validator?: FootprintValidator;
  /** The connector's public URL: when given, subscribed partners get Published events (the event `source`). */
  readonly publicUrl?: string;
  /** Called after each committed batch with the tenant id (e.g. to wake the delivery worker). */
  readonly onCommitted?: (tenantId: string) => void;
}

/** An item that could not be parsed (e.g. a JSON-lines line that is not JSON): reported, never stored. */
export class UnparsableItem {
  constructor(readonly message: string) {}
}

const store = createSqlFootprintStore();
let sharedValidator: FootprintValidator | undefined;

/**
 * Validates and stores `items` for `tenantId`. Each item is validated against the schema of its declared
 * specVersion (or mapped from Catena-X); invalid items and ids that already exist (or repeat) are reported and not
 * stored; valid items are inserted batch by batch, each batch in one transaction with one audit record.
 */
export async function importFootprints(
  db: Database,
  tenantId: string,
  items: AsyncIterable<unknown> | Iterable<unknown>,
  onProgress: (progress: ImportProgress) => void = () => undefined,
  options: ImportOptions = {},
): Promise<ImportReport> {
  sharedValidator ??= createFootprintValidator();
  const validator = options.validator ?? sharedValidator;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 200;
  const notifier = options.publicUrl === undefined ? undefined : createPublishNotifier(options.publicUrl);
  const results: ImportItemResult[] = [];
  let imported = 0;
  let failed = 0;
  let batch: { index: number; fp: PactFootprint }[] = [];
  let index = 0;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    const stored = await db.withTenant(tenantId, async (tx) => {
      const ids = pending.map((p) => p.fp.doc.id.toLowerCase());
      const existing = new Set((await tx.query<{ id: string }>(
        'SELECT id::text AS id FROM footprints WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [tenantId, ids],
      )).map((r) => r.id));
      const seen = new Set<string>();
      const accepted: { index: number; fp: PactFootprint }[] = [];
      for (const p of pending) {
        const id = p.fp.doc.id.toLowerCase();
        if (existing.has(id) || seen.has(id)) {
          results.push({ index: p.index, ok: false, reason: 'conflict', message: `footprint ${id} already exists: change it with PUT`, errors: [{ pointer: '/id', rule: 'unique-id', reason: 'id already exists' }] });
          failed++;
          continue;
        }
        seen.add(id);
        accepted.push(p);
      }
      const inserted = await store.insertMany(tx, accepted.map((a) => a.fp));
      if (!inserted.ok) throw new Error(`import batch refused after checks: ${inserted.message}`);
      if (accepted.length > 0) {
        const acceptedIds = accepted.map((a) => a.fp.doc.id.toLowerCase());
        await appendAudit(tx, { actor: options.actor ?? 'system', action: 'footprint.import', target: `footprints/${acceptedIds.length}`, after: acceptedIds, requestId: options.requestId }, now());
        await notifier?.published(tx, acceptedIds, now());
      }
      return accepted;
    });
    for (const a of stored) results.push({ index: a.index, ok: true, id: a.fp.doc.id.toLowerCase(), specVersion: a.fp.doc.specVersion });
    imported += stored.length;
    if (stored.length > 0) options.onCommitted?.(tenantId);
  };

  for await (const item of items) {
    const decoded = item instanceof UnparsableItem
      ? { ok: false as const, message: item.message, details: [{ pointer: '', rule: 'json', reason: item.message }] }
      : decodeFootprint(item, options.format ?? 'auto', validator);
    if (decoded.ok) batch.push({ index, fp: decoded.value });
    else {
      results.push({ index, ok: false, reason: 'bad-request', message: decoded.message, errors: decoded.details ?? [] });
      failed++;
    }
    index++;
    if (batch.length >= batchSize) {
      await flush();
      onProgress({ processed: index, imported, failed });
    }
  }
  await flush();
  onProgress({ processed: index, imported, failed });
  results.sort((a, b) => a.index - b.index);
  return { processed: index, imported, failed, results };
}
