// Delivers queued PACT events to partner hosts: claims due outbox rows per tenant, token auth, retries with backoff.
import type { SecretBox } from '../../connector/credentials/local/local-key-store';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createPartnerStore, partnerSecretName, type PartnerStore } from '../clients/partner-store';
import type { PactOutbound } from './outbound';
import { createOutboxStore, type OutboxEntry, type OutboxStore } from './outbox-store';
import { createPartnerTokenClient, type PartnerTokenClient } from './partner-token-client';

export interface EventDeliveryWorkerDeps {
  readonly db: Database;
  readonly outbound: PactOutbound;
  /** Where partner client secrets are kept (`pact-partner/<id>`). */
  readonly secrets: SecretBox;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Idle poll period (default 2,000 ms). */
  readonly pollIntervalMs?: number;
  /** Rows claimed per tenant and round (default 20). */
  readonly batchSize?: number;
  /** Lease on a claimed row (default 60,000 ms): another replica may retry it after that. */
  readonly leaseMs?: number;
  /** First retry delay (default 5,000 ms), doubled per attempt up to `maxBackoffMs` (default 1 h), ±20 % jitter. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Give up after this age (default 72 h, PACT v3 guidance). */
  readonly maxAgeMs?: number;
  /** Jitter source in [0, 1) (default Math.random). */
  readonly random?: () => number;
  readonly tokenClient?: PartnerTokenClient;
  readonly outbox?: OutboxStore;
  readonly partners?: PartnerStore;
}

/** Long-running delivery of the outbox; safe to run on several replicas at once. */
export interface EventDeliveryWorker {
  /** Starts polling (idempotent). */
  start(): void;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /** One round over every active tenant (or just `tenantId`); resolves to the number of rows attempted. */
  runOnce(tenantId?: string): Promise<number>;
  /** Hint that `tenantId` has new rows: runs a round for it soon instead of waiting for the next poll. */
  kick(tenantId: string): void;
}

type Outcome = { kind: 'delivered' } | { kind: 'retry'; error: string } | { kind: 'failed'; error: string };

/** Statuses after which retrying cannot help (the partner refused the event itself). */
const PERMANENT = new Set([400, 404, 405, 409, 410, 413, 415, 422, 501]);

export function createEventDeliveryWorker(deps: EventDeliveryWorkerDeps): EventDeliveryWorker {
  const log = deps.logger.child({ component: 'pact.event-delivery' });
  const outbox = deps.outbox ?? createOutboxStore();
  const partners = deps.partners ?? createPartnerStore();
  const tokens = deps.tokenClient ?? createPartnerTokenClient({ outbound: deps.outbound, now: deps.now });
  const poll = deps.pollIntervalMs ?? 2_000;
  const batch = deps.batchSize ?? 20;
  const leaseMs = deps.leaseMs ?? 60_000;
  const base = deps.baseBackoffMs ?? 5_000;
  const maxBackoff = deps.maxBackoffMs ?? 3_600_000;
  const maxAge = deps.maxAgeMs ?? 72 * 3_600_000;
  const random = deps.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let current: Promise<unknown> = Promise.resolve();
  const kicked = new Set<string>();

  async function attempt(tenantId: string, entry: OutboxEntry): Promise<Outcome> {
    const partner = await deps.db.withTenant(tenantId, (tx) => partners.get(tx, entry.partnerId));
    if (partner === undefined) return { kind: 'failed', error: 'partner revoked or unknown' };
    const token = await tokens.token(tenantId, partner, () => deps.secrets.getSecret(tenantId, partnerSecretName(partner.id)));
    if (!token.ok) return { kind: 'retry', error: token.message };
    const url = `${partner.baseUrl}/${entry.apiVersion}/events`;
    const reply = await deps.outbound.post(url, JSON.stringify(entry.event), {
      'Content-Type': 'application/cloudevents+json; charset=UTF-8', Authorization: `Bearer ${token.token}`,
    });
    if (!reply.ok) return { kind: 'retry', error: reply.message };
    if (reply.status >= 200 && reply.status < 300) return { kind: 'delivered' };
    if (reply.status === 401 || reply.status === 403) tokens.forget(tenantId, partner.id);
    if (PERMANENT.has(reply.status)) return { kind: 'failed', error: `partner answered ${reply.status}` };
    return { kind: 'retry', error: `partner answered ${reply.status}` };
  }

  function nextAttempt(entry: OutboxEntry, now: Date): Date | undefined {
    const exp = Math.min(maxBackoff, base * 2 ** Math.max(0, entry.attempts - 1));
    const at = now.getTime() + Math.round(exp * (0.8 + 0.4 * random()));
    return at - Date.parse(entry.createdAt) > maxAge ? undefined : new Date(at);
  }

  async function runTenant(tenantId: string): Promise<number> {
    const claimed = await deps.db.withTenant(tenantId, (tx) => outbox.claim(tx, deps.now(), batch, leaseMs));
    for (const entry of claimed) {
      let outcome: Outcome;
      try {
        outcome = await attempt(tenantId, entry);
      } catch (error) {
        outcome = { kind: 'retry', error: `unexpected: ${(error as Error).message}` };
      }
      const now = deps.now();
      const next = outcome.kind === 'retry' ? nextAttempt(entry, now) : undefined;
      await deps.db.withTenant(tenantId, async (tx) => {
        if (outcome.kind === 'delivered') await outbox.delivered(tx, entry.id, now);
        else if (outcome.kind === 'failed') await outbox.failed(tx, entry.id, outcome.error);
        else if (next === undefined) await outbox.failed(tx, entry.id, `gave up after ${entry.attempts} attempts: ${outcome.error}`);
        else await outbox.retry(tx, entry.id, next, outcome.error);
      });
      const fields = { tenantId, eventId: entry.event.id, eventType: entry.eventType, partnerId: entry.partnerId, attempts: entry.attempts };
      if (outcome.kind === 'delivered') log.info('event delivered', fields);
      else log.warn(next === undefined ? 'event delivery abandoned' : 'event delivery failed, will retry', { ...fields, error: outcome.error, nextAttemptAt: next?.toISOString() });
    }
    return claimed.length;
  }

  async function round(only?: string): Promise<number> {
    const tenantIds = only !== undefined ? [only] : await deps.db.withSystem(async (tx) =>
      (await tx.query<{ id: string }>("SELECT id FROM tenants WHERE status = 'active' ORDER BY id")).map((r) => r.id));
    let n = 0;
    for (const t of tenantIds) {
      try {
        n += await runTenant(t);
      } catch (error) {
        log.error('event delivery round failed', { tenantId: t, error });
      }
    }
    return n;
  }

  function runOnce(tenantId?: string): Promise<number> {
    const next = current.then(() => round(tenantId));
    current = next.catch(() => undefined);
    return next;
  }

  function schedule(delay: number): void {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const pending = [...kicked];
      kicked.clear();
      const work = pending.length > 0 ? Promise.all(pending.map((t) => runOnce(t))) : runOnce();
      void work.catch((error: unknown) => log.error('event delivery failed', { error })).finally(() => schedule(poll));
    }, delay);
    timer.unref?.();
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current;
    },
    runOnce,
    kick(tenantId) {
      kicked.add(tenantId);
      if (running) schedule(0);
    },
  };
}
